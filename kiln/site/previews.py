"""Link-preview cards: the Open Graph image of a shared project, post or profile.

A small (at most 1200 px) JPEG of the work's first image, watermarked with the artist's handle
and carrying the same reservations as every rendition (kiln.media.imaging.reserved_jpeg). Only
what an anonymous visitor may see gets a card; held work never does. Link-preview fetchers
(kiln/shield/previews.py) are allowed these and the pages' card tags, nothing else.
"""

import pyvips
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.files.storage import storages
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_http_methods

from kiln.accounts.selectors import user_by_username
from kiln.media.imaging import reserved_jpeg
from kiln.media.models import MediaAsset, Rendition
from kiln.media.rights import rights_for_owner
from kiln.portfolio.selectors import lead_project, project_for_view
from kiln.posts.selectors import post_for_page
from kiln.provenance.selectors import held_asset_ids
from kiln.shield.watermark import draw_watermark

CARD_WIDTH = 1200
CARD_TTL_SECONDS = 3600


def _source_key(asset: MediaAsset) -> str | None:
    """The smallest still JPEG rendition at least a card wide (else the largest)."""
    renditions = list(
        Rendition.objects.filter(asset=asset, format=Rendition.Format.JPEG).order_by("width")
    )
    if not renditions:
        return None
    wide = [r for r in renditions if r.width >= CARD_WIDTH]
    return (wide[0] if wide else renditions[-1]).key


def _card(*, owner, asset: MediaAsset | None, work_url: str) -> HttpResponse:
    if (
        asset is None
        or asset.state != MediaAsset.State.READY
        or held_asset_ids(asset_ids=[asset.pk])
    ):
        raise Http404("No card for this page.")
    key = _source_key(asset)
    if key is None:
        raise Http404("No card for this page.")
    cache_key = f"site:card:{key}"
    data = cache.get(cache_key)
    if data is None:
        with storages["default"].open(key, "rb") as handle:
            image = pyvips.Image.thumbnail_buffer(handle.read(), CARD_WIDTH, size="down")
        image = draw_watermark(
            image, text=f"Kiln · @{owner.username}", corner="bottom-right", opacity=0.85
        )
        data = reserved_jpeg(image, rights_for_owner(owner=owner, work_url=work_url))
        cache.set(cache_key, data, CARD_TTL_SECONDS)
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = f"public, max-age={CARD_TTL_SECONDS}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_http_methods(["GET", "HEAD"])
def project_card(request, username: str, project_id: int):
    project = project_for_view(viewer=AnonymousUser(), username=username, project_id=project_id)
    if not project.owner.is_active:
        raise Http404("No card for this page.")
    cover = project.cover_image
    return _card(
        owner=project.owner,
        asset=cover.asset if cover else None,
        work_url=f"/@{project.owner.username}/projects/{project.pk}",
    )


@require_http_methods(["GET", "HEAD"])
def post_card(request, username: str, post_id: int):
    post = post_for_page(username=username, post_id=post_id, viewer=AnonymousUser())
    if post is None:
        raise Http404("No card for this page.")
    first = post.attachments.select_related("asset").order_by("position", "id").first()
    return _card(
        owner=post.author,
        asset=first.asset if first else None,
        work_url=f"/@{post.author.username}/posts/{post.pk}",
    )


@require_http_methods(["GET", "HEAD"])
def profile_card(request, username: str):
    owner = user_by_username(username, with_links=False)
    project = lead_project(owner=owner)
    cover = project.cover_image if project else None
    return _card(owner=owner, asset=cover.asset if cover else None, work_url=f"/@{owner.username}")
