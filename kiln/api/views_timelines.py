"""Timelines (home, public, tag) and search (accounts and hashtags), read through
kiln.timelines' selectors and kiln.posts' JSON statuses."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Length

from kiln.accounts.models import User
from kiln.api.entities import absolute, accounts_by_id, complete_statuses
from kiln.api.http import PageArgs, Params, api, json_response, with_link
from kiln.posts.cards import post_statuses
from kiln.posts.models import PostAttachment, PostTag
from kiln.search.selectors import search_posts
from kiln.social.selectors import blocked_user_ids, hidden_author_ids
from kiln.timelines import selectors as timelines
from kiln.timelines.services import timeline_mark_active

TAG_MAX_LENGTH = 100


def _respond(request, statuses: list[dict]):
    statuses = complete_statuses(request, statuses)
    return with_link(request, json_response(statuses), [int(s["id"]) for s in statuses])


def _after(page: PageArgs) -> int | None:
    # Kiln's timelines page newer items from just above a cursor (Mastodon's min_id);
    # since_id is read the same way (docs/decisions.md).
    return page.min_id if page.min_id is not None else page.since_id


@api("read:statuses")
def home(request):
    user = request.api_user
    page = PageArgs(Params(request))
    timeline_mark_active(user=user)
    result = timelines.home_timeline_page(
        viewer=user,
        before=page.max_id,
        after=_after(page),
        size=page.limit,
        hydrate=post_statuses,
        statuses_in_one_query=True,
    )
    return _respond(request, result.items)


def _public_page(request, posts, page: PageArgs, hidden: set[int]):
    params = Params(request)
    if params.bool("only_media"):
        posts = posts.filter(Exists(PostAttachment.objects.filter(post_id=OuterRef("pk"))))
    result = timelines.page_by_id(posts, before=page.max_id, after=_after(page), size=page.limit)
    ids = [p.pk for p in result.items]
    return _respond(request, post_statuses(ids, request.api_user, hidden=hidden))


@api("read:statuses", auth="optional")
def public(request):
    params = Params(request)
    page = PageArgs(params)
    if params.bool("remote"):  # Kiln does not federate: nothing is remote
        return json_response([])
    viewer = request.api_user
    hidden = hidden_author_ids(viewer) if viewer else set()
    return _public_page(request, timelines.public_posts(viewer, hidden), page, hidden)


@api("read:statuses", auth="optional")
def tag(request, hashtag: str):
    params = Params(request)
    page = PageArgs(params)
    name = hashtag.lstrip("#").casefold()
    if not name or len(name) > TAG_MAX_LENGTH or params.bool("remote"):
        return json_response([])
    viewer = request.api_user
    hidden = hidden_author_ids(viewer) if viewer else set()
    return _public_page(request, timelines.tag_posts(viewer, name, hidden), page, hidden)


# --- Search ---------------------------------------------------------------------------------


def _tag_json(request, name: str) -> dict:
    return {
        "name": name,
        "url": absolute(request, f"/tags/{name}"),
        "history": [],
        "id": name,
        "following": False,
    }


@api("read:search", auth="optional")
def search(request):
    """Accounts by username or display name, hashtags by prefix, and statuses by full text
    through Kiln's search (kiln.search: the same engine and visibility rules as /search).
    Statuses page by offset only as far as one page of the web's search (Mastodon apps ask
    for the first page)."""
    params = Params(request)
    query = params.str("q", max_length=200).strip()
    kind = params.str("type", max_length=20)
    limit = max(1, min(params.int("limit", 20, lo=-(2**63), hi=2**63) or 20, 40))
    offset = params.int("offset", 0, hi=10_000)
    result = {"accounts": [], "statuses": [], "hashtags": []}
    if not query:
        return json_response(result)
    if kind in ("", "accounts"):
        term = query.lstrip("@").split("@")[0]
        blocked = blocked_user_ids(request.api_user) if request.api_user else set()
        ids = list(
            User.objects.filter(
                Q(username__istartswith=term) | Q(profile__display_name__icontains=term),
                is_active=True,
            )
            .exclude(pk__in=blocked)
            .order_by(Length("username"), "username")
            .values_list("pk", flat=True)[offset : offset + limit]
        )
        accounts = accounts_by_id(request, ids)
        result["accounts"] = [accounts[pk] for pk in ids if pk in accounts]
    if kind in ("", "hashtags"):
        name = query.lstrip("#").casefold()
        names = (
            PostTag.objects.filter(tag__startswith=name)
            .values_list("tag", flat=True)
            .distinct()
            .order_by("tag")[offset : offset + limit]
        )
        result["hashtags"] = [_tag_json(request, n) for n in names]
    if kind in ("", "statuses") and offset == 0:
        viewer = request.api_user or AnonymousUser()
        found = search_posts(viewer=viewer, q=query, size=limit, hydrate=False)
        if found.problem is None:
            hidden = hidden_author_ids(request.api_user) if request.api_user else set()
            statuses = post_statuses(found.items, request.api_user, hidden=hidden)
            result["statuses"] = complete_statuses(request, statuses)
    return json_response(result)
