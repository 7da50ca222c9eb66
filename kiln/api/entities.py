"""Mastodon entities from Kiln's reads: Account, Status (from kiln.posts.cards' statuses),
Relationship, Tag. Each page's accounts, mentions and tags are read in one query apiece."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.templatetags.static import static

from kiln.accounts.models import Profile, ProfileLink, User
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


MAX_ACCOUNTS = 128  # ids per prepared query; longer lists are read in chunks


def _account_query(ids):
    live_posts = Post.objects.filter(deleted_at__isnull=True, commented_project_id__isnull=True)
    return (
        User.objects.filter(pk__in=ids)
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
        .order_by()
        .values_list(
            "pk",
            "username",
            "date_joined",
            "profile__display_name",
            "profile__bio",
            "profile__avatar",
            "profile__banner",
            "profile__allow_search_indexing",
            "n_followers",
            "n_following",
            "n_statuses",
        )
    )


# Compiled once per process (kiln.core.fastdb): building this annotated query through the ORM
# cost more than running it, and a timeline page meets a few uncached authors every time.
_account_rows = PreparedQuery(_account_query, MAX_ACCOUNTS)
_link_rows = PreparedQuery(
    lambda ids: (
        ProfileLink.objects.filter(profile_id__in=ids)
        .order_by("profile_id", "position", "id")
        .values_list("profile_id", "url")
    ),
    MAX_ACCOUNTS,
)


def _image_url(field_name: str, name: str | None, default: str) -> str:
    if not name:
        return static(default)
    return Profile._meta.get_field(field_name).storage.url(name)


def _accounts_json(request, ids: set[int]) -> dict[int, dict]:
    ordered = sorted(ids)
    chunks = [ordered[i : i + MAX_ACCOUNTS] for i in range(0, len(ordered), MAX_ACCOUNTS)]
    links: dict[int, list[str]] = {}
    for chunk in chunks:
        for user_id, link_url in _link_rows(chunk):
            links.setdefault(user_id, []).append(link_url)
    return {
        row[0]: account_json(request, row, links.get(row[0], []))
        for chunk in chunks
        for row in _account_rows(chunk)
    }


def account_json(request, row: tuple, links: list[str]) -> dict:
    """`row` is one of `_account_rows`' (counts annotated, profile joined)."""
    (pk, username, joined, display_name, bio, avatar_name, banner_name, indexable) = row[:8]
    followers, following, statuses = row[8:]
    url = absolute(request, f"/@{username}")
    avatar = absolute(request, _image_url("avatar", avatar_name, DEFAULT_AVATAR))
    header = absolute(request, _image_url("banner", banner_name, DEFAULT_HEADER))
    indexable = bool(indexable) if indexable is not None else True
    return {
        "id": str(pk),
        "username": username,
        "acct": username,
        "display_name": display_name or username,
        "locked": False,
        "bot": False,
        "group": False,
        "discoverable": indexable,
        "indexable": indexable,
        "noindex": not indexable,
        "created_at": joined.replace(hour=0, minute=0, second=0, microsecond=0)
        .isoformat()
        .replace("+00:00", "Z"),
        "note": str(render_plain_text(bio)) if bio else "",
        "url": url,
        "uri": url,
        "avatar": avatar,
        "avatar_static": avatar,
        "header": header,
        "header_static": header,
        "followers_count": followers,
        "following_count": following,
        "statuses_count": statuses,
        "last_status_at": None,
        "hide_collections": False,
        "emojis": [],
        "fields": [_field(link_url) for link_url in links],
    }


def _field(link_url: str) -> dict:
    domain = ProfileLink(url=link_url).domain  # the profile page's own rule for the label
    return {
        "name": domain or "Link",
        "value": f'<a href="{link_url}" rel="me nofollow noopener" target="_blank">{domain}</a>',
        "verified_at": None,
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
        fetched = _accounts_json(request, missing)
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


def _mentions_and_tags(ids):
    """Both in one round trip (a page's statuses need both): rows of (post id, mentioned user
    id, username) for mentions and (post id, None, tag) for hashtags."""
    mentions = PostMention.objects.filter(post_id__in=ids).values_list(
        "post_id", "user_id", "user__username"
    )
    tags = (
        PostTag.objects.filter(post_id__in=ids)
        .annotate(no_user=Value(None, output_field=IntegerField()))
        .values_list("post_id", "no_user", "tag")
    )
    return mentions.union(tags, all=True)


# Compiled once per process (kiln.core.fastdb), as the JSON timelines' own queries are.
_mentions_and_tags_rows = PreparedQuery(_mentions_and_tags, MAX_POSTS)


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
    tags: dict[int, list] = {}
    for post_id, user_id, name in (r for chunk in chunks for r in _mentions_and_tags_rows(chunk)):
        if user_id is None:
            tags.setdefault(post_id, []).append(
                {"name": name, "url": absolute(request, f"/tags/{name}")}
            )
            continue
        mentions.setdefault(post_id, []).append(
            {
                "id": str(user_id),
                "username": name,
                "acct": name,
                "url": absolute(request, f"/@{name}"),
            }
        )

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
