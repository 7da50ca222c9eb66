"""The instance documents, preferences and the empty lists Kiln has no counterpart for."""

from __future__ import annotations

from django.conf import settings
from django.templatetags.static import static

from kiln.accounts.models import User
from kiln.accounts.services import MAX_PROFILE_LINKS
from kiln.api.entities import absolute, instance_domain
from kiln.api.http import api, json_response
from kiln.posts.models import Post
from kiln.posts.services import MAX_ALT_TEXT, MAX_IMAGES, MAX_TEXT_LENGTH

# The Mastodon API this implements (clients parse the leading x.y.z), and API_VERSION its
# machine-readable api_versions.mastodon (4.3 introduced 2, 4.4 raised it to 6...).
MASTODON_VERSION = "4.3.0"
KILN_VERSION = "0.1.0"
API_VERSION = 2
MIME_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp", "image/avif", "image/heic"]
TITLE = "Kiln"
DESCRIPTION = "A home for artists' portfolios and posts, kept out of AI training."


def streaming_url(request) -> str:
    """Where the streaming process listens, as the ws(s):// base Mastodon apps expect: nginx
    routes /api/v1/streaming on the site's own address to it, `make run` serves it on its own
    port (KILN_STREAMING_URL)."""
    base = settings.KILN_STREAMING_URL or absolute(request, "/").rstrip("/")
    return base.replace("http", "ws", 1)


def version() -> str:
    return f"{MASTODON_VERSION} (compatible; Kiln {KILN_VERSION})"


def _configuration(request) -> dict:
    pixels = settings.KILN_MEDIA_MAX_PIXELS
    return {
        "urls": {
            "streaming": streaming_url(request),
            "status": None,
            "about": absolute(request, "/"),
        },
        "accounts": {
            "max_featured_tags": 0,
            "max_pinned_statuses": 0,
            "max_display_name_length": 60,
            "max_note_length": 500,
            "max_profile_fields": MAX_PROFILE_LINKS,
        },
        "statuses": {
            "max_characters": MAX_TEXT_LENGTH,
            "max_media_attachments": MAX_IMAGES,
            "characters_reserved_per_url": 23,
        },
        "media_attachments": {
            "supported_mime_types": MIME_TYPES,
            "image_size_limit": settings.KILN_MEDIA_MAX_BYTES,
            "image_matrix_limit": pixels,
            "description_limit": MAX_ALT_TEXT,
            # Kiln takes still and animated images only: no video or audio.
            "video_size_limit": 0,
            "video_frame_rate_limit": 0,
            "video_matrix_limit": 0,
        },
        "polls": {
            "max_options": 0,
            "max_characters_per_option": 0,
            "min_expiration": 0,
            "max_expiration": 0,
        },
        "translation": {"enabled": False},
        "vapid": {"public_key": ""},
    }


def _thumbnail(request) -> str:
    return absolute(request, static("favicon.svg"))


@api(auth="optional")
def instance_v2(request):
    users = User.objects.filter(is_active=True).count()
    return json_response(
        {
            "domain": instance_domain(request),
            "title": TITLE,
            "version": version(),
            "source_url": "https://github.com/kiln-social/kiln",
            "description": DESCRIPTION,
            "usage": {"users": {"active_month": users}},
            "thumbnail": {"url": _thumbnail(request)},
            "icon": [],
            "languages": ["en"],
            "configuration": _configuration(request),
            "registrations": {"enabled": True, "approval_required": False, "message": None},
            "api_versions": {"mastodon": API_VERSION},
            "contact": {"email": settings.DEFAULT_FROM_EMAIL, "account": None},
            "rules": [],
        }
    )


@api(auth="optional")
def instance_v1(request):
    config = _configuration(request)
    return json_response(
        {
            "uri": instance_domain(request),
            "title": TITLE,
            "short_description": DESCRIPTION,
            "description": DESCRIPTION,
            "email": settings.DEFAULT_FROM_EMAIL,
            "version": version(),
            "urls": {"streaming_api": streaming_url(request)},
            "stats": {
                "user_count": User.objects.filter(is_active=True).count(),
                "status_count": Post.objects.filter(deleted_at__isnull=True).count(),
                "domain_count": 0,
            },
            "thumbnail": _thumbnail(request),
            "languages": ["en"],
            "registrations": True,
            "approval_required": False,
            "invites_enabled": False,
            "configuration": {
                "accounts": config["accounts"],
                "statuses": config["statuses"],
                "media_attachments": config["media_attachments"],
                "polls": config["polls"],
            },
            "contact_account": None,
            "rules": [],
        }
    )


@api("read:accounts")
def preferences(request):
    return json_response(
        {
            "posting:default:visibility": "public",
            "posting:default:sensitive": False,
            "posting:default:language": None,
            "reading:expand:media": "default",
            "reading:expand:spoilers": False,
        }
    )


@api(auth="optional")
def custom_emojis(request):
    return json_response([])


@api("read:lists")
def lists(request):
    return json_response([])
