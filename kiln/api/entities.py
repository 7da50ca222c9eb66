"""Mastodon entities from Kiln's reads: Account, Status (from kiln.posts.cards' statuses),
Relationship, Tag. Each page's accounts, mentions and tags are read in one query apiece."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.templatetags.static import static

from kiln.accounts.models import User
from kiln.core.fastdb import PreparedQuery
from kiln.core.text import render_plain_text
from kiln.posts.models import Post, PostAttachment, PostMention, PostTag
from kiln.posts.status_media import MAX_POSTS
from kiln.shield.middleware import tdm_policy_url
from kiln.social.models import Follow

DEFAULT_AVATAR = "api/missing-avatar.png"
DEFAULT_HEADER = "api/missing-header.png"
ACCOUNT_TTL = 30  # seconds an account entity is reused (see accounts_by_id)
VISIBILITY = {"public": "public", "followers": "private"}  # Kiln's -> Mastodon's


def absolute(request, path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    base = getattr(request, "_api_origin", None)
    if base is None:  # once a request: a page of statuses holds a hundred URLs
        base = request._api_origin = request.build_absolute_uri("/")[:-1]
    return base + path


def _count(model, field: str):
    rows = (
        model.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def _users(ids):
    live_posts = Post.objects.filter(deleted_at__isnull=True, commented_project_id__isnull=True)
    return (
        User.objects.filter(pk__in=ids)
        .select_related("profile")
        .prefetch_related("profile__links")
        .annotate(
            n_followers=_count(Follow, "followed"),
            n_following=_count(Follow, "follower"),
            n_statuses=Coalesce(
                Subquery(
                    live_posts.filter(author=OuterRef("pk"))
                    .order_by()
                    .values("author")
                    .annotate(n=Count("pk"))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
        )
    )


def account_json(request, user) -> dict:
    """`user` comes from `_users` (counts annotated, profile joined)."""
    profile = user.profile
    url = absolute(request, f"/@{user.username}")
    avatar = absolute(request, profile.avatar.url if profile.avatar else static(DEFAULT_AVATAR))
    header = absolute(request, profile.banner.url if profile.banner else static(DEFAULT_HEADER))
    return {
        "id": str(user.pk),
        "username": user.username,
        "acct": user.username,
        "display_name": profile.display_name or user.username,
        "locked": False,
        "bot": False,
        "group": False,
        "discoverable": profile.allow_search_indexing,
        "indexable": profile.allow_search_indexing,
        "noindex": not profile.allow_search_indexing,
        "created_at": user.date_joined.replace(hour=0, minute=0, second=0, microsecond=0)
        .isoformat()
        .replace("+00:00", "Z"),
        "note": str(render_plain_text(profile.bio)) if profile.bio else "",
        "url": url,
        "uri": url,
        "avatar": avatar,
        "avatar_static": avatar,
        "header": header,
        "header_static": header,
        "followers_count": user.n_followers,
        "following_count": user.n_following,
        "statuses_count": user.n_statuses,
        "last_status_at": None,
        "hide_collections": False,
        "emojis": [],
        "fields": [
            {
                "name": link.domain or "Link",
                "value": f'<a href="{link.url}" rel="me nofollow noopener" target="_blank">'
                f"{link.domain}</a>",
                "verified_at": None,
            }
            for link in profile.links.all()
        ],
    }


def _cache_prefix(request) -> str:
    return f"api:acct:{request.scheme}://{request.get_host()}:"  # URLs in it are absolute


def accounts_by_id(request, ids, *, fresh: bool = False) -> dict[int, dict]:
    """Account entities, from a short-lived shared cache when they are there: their counts
    are three subqueries a user, and a page of statuses names the same authors over and
    over. Counts and profile edits show within ACCOUNT_TTL seconds (the signed-in account's
    own credentials are always read fresh)."""
    ids = {int(i) for i in ids}
    if not ids:
        return {}
    prefix = _cache_prefix(request)
    found = {}
    if not fresh:
        cached = cache.get_many([f"{prefix}{pk}" for pk in ids])
        found = {int(key[len(prefix) :]): value for key, value in cached.items()}
    missing = ids - found.keys()
    if missing:
        fetched = {user.pk: account_json(request, user) for user in _users(missing)}
        cache.set_many({f"{prefix}{pk}": data for pk, data in fetched.items()}, ACCOUNT_TTL)
        found.update(fetched)
    return found


def forget_account(request, user_id: int) -> None:
    cache.delete(f"{_cache_prefix(request)}{user_id}")


def account_one(request, user_id: int) -> dict | None:
    return accounts_by_id(request, [user_id]).get(user_id)


def credential_account(request, user) -> dict:
    data = accounts_by_id(request, [user.pk], fresh=True)[user.pk]
    profile = user.profile
    data["source"] = {
        "privacy": "public",
        "sensitive": False,
        "language": "",
        "note": profile.bio,
        "fields": [
            {"name": f["name"], "value": link.url, "verified_at": None}
            for f, link in zip(data["fields"], profile.links.all(), strict=False)
        ],
        "follow_requests_count": 0,
        "hide_collections": False,
        "discoverable": profile.allow_search_indexing,
        "indexable": profile.allow_search_indexing,
    }
    data["role"] = {"id": "-99", "name": "", "permissions": "0", "color": "", "highlighted": False}
    return data


# --- Statuses -------------------------------------------------------------------------------


def _status_pks(statuses) -> set[int]:
    pks = set()
    for status in statuses:
        pks.add(int(status["id"]))
        if status.get("reblog"):
            pks.add(int(status["reblog"]["id"]))
    return pks


# Compiled once per process (kiln.core.fastdb), as the JSON timelines' own queries are.
_mentions = PreparedQuery(
    lambda ids: PostMention.objects.filter(post_id__in=ids).values_list(
        "post_id", "user_id", "user__username"
    ),
    MAX_POSTS,
)
_tags = PreparedQuery(
    lambda ids: PostTag.objects.filter(post_id__in=ids).values_list("post_id", "tag"), MAX_POSTS
)


def complete_statuses(request, statuses: list[dict]) -> list[dict]:
    """Finish kiln.posts.cards' Mastodon-shaped statuses into full Status entities: whole
    accounts, mentions, tags, absolute URLs, Mastodon's visibility names."""
    if not statuses:
        return statuses
    pks = _status_pks(statuses)
    author_ids = set()
    for status in statuses:
        author_ids.add(status["account"]["id"])
        if status.get("reblog"):
            author_ids.add(status["reblog"]["account"]["id"])
    accounts = accounts_by_id(request, author_ids)
    chunks = [sorted(pks)[i : i + MAX_POSTS] for i in range(0, len(pks), MAX_POSTS)]
    mentions: dict[int, list] = {}
    for post_id, user_id, username in (row for chunk in chunks for row in _mentions(chunk)):
        mentions.setdefault(post_id, []).append(
            {
                "id": str(user_id),
                "username": username,
                "acct": username,
                "url": absolute(request, f"/@{username}"),
            }
        )
    tags: dict[int, list] = {}
    for post_id, tag in (row for chunk in chunks for row in _tags(chunk)):
        tags.setdefault(post_id, []).append({"name": tag, "url": absolute(request, f"/tags/{tag}")})

    def finish(status: dict) -> dict:
        pk = int(status["id"])
        status["account"] = accounts.get(int(status["account"]["id"])) or status["account"]
        status["url"] = status["uri"] = absolute(request, status["url"])
        status["visibility"] = VISIBILITY.get(status["visibility"], status["visibility"])
        status["mentions"] = mentions.get(pk, [])
        status["tags"] = tags.get(pk, [])
        status["emojis"] = []
        status["in_reply_to_account_id"] = None
        status.setdefault("reblog", None)
        status.update(language=None, poll=None, card=None, application=None, filtered=[])
        for item in status["media_attachments"]:
            absolute_media(request, item)
        return status

    for status in statuses:
        finish(status)
        if status["reblog"]:
            finish(status["reblog"])
    _reply_accounts(statuses)
    _kiln_media(statuses)
    return statuses


def kiln_media_extension(*, cloaked: bool) -> dict:
    """Kiln's extension key on a MediaAttachment: the image is reserved against AI training
    and text-and-data mining (the policy says how), and whether it was cloaked."""
    return {"noai": True, "tdm_policy": tdm_policy_url(), "cloaked": cloaked}


def _kiln_media(statuses) -> None:
    items = [
        item
        for status in statuses
        for shown in (status, status.get("reblog"))
        if shown
        for item in shown["media_attachments"]
    ]
    if not items:
        return
    cloaked = set(
        PostAttachment.objects.filter(pk__in=[int(item["id"]) for item in items])
        .exclude(asset__master_key="")
        .values_list("pk", flat=True)
    )
    for item in items:
        item["kiln"] = kiln_media_extension(cloaked=int(item["id"]) in cloaked)


def absolute_media(request, item: dict) -> dict:
    for key in ("url", "preview_url"):
        if item.get(key):
            item[key] = absolute(request, item[key])
    return item


def _reply_accounts(statuses) -> None:
    """`in_reply_to_account_id` for the replies on the page, in one query."""
    replies = {}
    for status in statuses:
        for s in (status, status.get("reblog")):
            if s and s.get("in_reply_to_id"):
                replies.setdefault(int(s["in_reply_to_id"]), []).append(s)
    if not replies:
        return
    for pk, author_id in Post.objects.filter(pk__in=replies).values_list("pk", "author_id"):
        for s in replies[pk]:
            s["in_reply_to_account_id"] = str(author_id)


def instance_domain(request) -> str:
    return request.get_host().split(":")[0] if request else settings.KILN_SITE_URL
