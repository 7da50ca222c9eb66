"""Timeline pages: Following (the logged-in home page), Discover and tag pages.

One view per timeline; each serves the full page, the htmx fragments for infinite scroll
(`?before=`), the "new posts" pill (`?after=&pill=1`) and the newer posts it loads (`?after=`).
"""

import hashlib
import time
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from kiln.accounts.choices import FIELD_LABELS, FIELDS_OF_WORK
from kiln.core.http import is_htmx
from kiln.core.ids import id_for_time
from kiln.core.jsonresponse import FastJsonResponse
from kiln.core.pagination import parse_cursor, parse_page_size
from kiln.posts.cards import post_cards, post_statuses
from kiln.timelines import selectors, services

SESSION_REBUILD_FLAG = "timeline_catching_up"
TAG_MAX_LENGTH = 100
ANONYMOUS_CACHE_SECONDS = 30


def anonymous_cached(view):
    """Cache whole pages for visitors with no cookies at all (first visits, crawlers that are
    let in): nothing on such a page depends on who asks. Anyone with a session, and every
    htmx fragment, is served fresh."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if (
            request.COOKIES
            or is_htmx(request)
            or request.GET.get("after")
            or request.GET.get("pill")
        ):
            return view(request, *args, **kwargs)
        key = "timelines:anon:" + hashlib.sha256(request.get_full_path().encode()).hexdigest()
        cached = cache.get(key)
        if cached is not None:
            status, content_type, body = cached
            return HttpResponse(body, status=status, content_type=content_type)
        response = view(request, *args, **kwargs)
        if response.status_code in (200, 404) and not response.streaming:
            cache.set(
                key,
                (response.status_code, response["Content-Type"], response.content),
                ANONYMOUS_CACHE_SECONDS,
            )
        return response

    return wrapper


def _cursors(request):
    return (
        parse_cursor(request.GET.get("before")),
        parse_cursor(request.GET.get("after")),
        parse_page_size(request.GET.get("limit")),
    )


def _hydrate(request):
    """The timelines' `hydrate`, from post ids to page items: Mastodon-Status-shaped dicts for
    `?format=json` (nothing rendered), otherwise rendered, shared cards (kiln.posts.cards)."""
    if _wants_json(request):
        return post_statuses

    def cards(ids, viewer, *, hidden):
        return post_cards(ids, viewer, hidden=hidden, request=request)

    return cards


def _wants_json(request) -> bool:
    return request.GET.get("format") == "json"


def _respond(request, page, *, template: str, context: dict, base_query: dict):
    """Full page, or one of the htmx fragments, or JSON (`?format=json`)."""
    if _wants_json(request):
        # Home and tag pages hold statuses; Discover holds {"kind", "id", "object"} items.
        items = [
            {"kind": item["kind"], "id": str(item["id"])}
            | ({"status": item["object"]} if item["kind"] == "post" else {})
            if "kind" in item
            else item
            for item in page.items
        ]
        return FastJsonResponse(
            {
                "items": items,
                "next": str(page.next_cursor) if page.next_cursor else None,
                "newest": str(page.newest_cursor) if page.newest_cursor else None,
            }
        )
    query = {k: v for k, v in base_query.items() if v}
    # An empty timeline still polls: from "now", so the first post to arrive is announced.
    newest = page.newest_cursor or id_for_time(time.time())
    context = {
        **context,
        "page": page,
        "older_url": (
            f"{request.path}?{urlencode({**query, 'before': page.next_cursor})}"
            if page.next_cursor
            else None
        ),
        "newer_url": f"{request.path}?{urlencode({**query, 'after': newest})}",
        "pill_url": f"{request.path}?{urlencode({**query, 'after': newest, 'pill': 1})}",
    }
    if is_htmx(request) and (request.GET.get("before") or request.GET.get("after")):
        name = "timelines/_newer.html" if request.GET.get("after") else "timelines/_older.html"
        return render(request, name, context)
    return render(request, template, context)


def _pill(request, queryset, *, field: str = "id"):
    """The "new posts" pill: how many items are newer than the cursor (none: empty)."""
    after = parse_cursor(request.GET.get("after"))
    count = selectors.count_newer(queryset, after=after, field=field) if after else 0
    query = {k: v for k, v in request.GET.items() if k not in {"pill", "before"}}
    return render(
        request,
        "timelines/_pill.html",
        {
            "count": count,
            "load_url": f"{request.path}?{urlencode(query)}",
            "pill_url": f"{request.path}?{urlencode({**query, 'pill': 1})}",
        },
    )


@login_required
@require_safe
def home_timeline(request):
    """Following: own posts and the posts and reposts of everyone the user follows."""
    user = request.user
    if request.GET.get("pill"):
        return _pill(request, selectors.home_entries(user), field="post_id")
    if request.GET.get("catching_up"):
        return _catching_up_status(request)
    if services.timeline_mark_active(user=user):
        request.session[SESSION_REBUILD_FLAG] = True
    catching_up = False
    if request.session.get(SESSION_REBUILD_FLAG):
        # Only a returning reader pays this query, and only until the rebuild is done.
        catching_up = selectors.rebuild_in_progress(user_id=user.pk)
        if not catching_up:
            del request.session[SESSION_REBUILD_FLAG]
    before, after, size = _cursors(request)
    page = selectors.home_timeline_page(
        viewer=user,
        before=before,
        after=after,
        size=size,
        hydrate=_hydrate(request),
        statuses_in_one_query=_wants_json(request),
    )
    page.catching_up = catching_up
    return _respond(
        request,
        page,
        template="timelines/home.html",
        # request.path, not reverse("core:home"): the same "/", without a resolver walk a request.
        context={"catching_up": catching_up, "status_url": f"{request.path}?catching_up=1"},
        base_query={"limit": request.GET.get("limit")},
    )


def _catching_up_status(request):
    """Polled by the "catching up…" banner; refreshes the page once the rebuild is done."""
    if selectors.rebuild_in_progress(user_id=request.user.pk):
        return render(
            request,
            "timelines/_catching_up.html",
            {"status_url": f"{reverse('core:home')}?catching_up=1"},
        )
    request.session.pop(SESSION_REBUILD_FLAG, None)
    response = HttpResponse("")
    response["HX-Refresh"] = "true"
    return response


@require_safe
@anonymous_cached
def discover(request):
    """All public posts and published projects, newest first, by field and category."""
    from kiln.portfolio.taxonomy import CATEGORIES

    category_labels = dict(CATEGORIES)
    field_slug = request.GET.get("field") or None
    category = request.GET.get("category") or None
    errors = []
    if field_slug and field_slug not in FIELD_LABELS:
        errors.append("That field of work does not exist; showing every field.")
        field_slug = None
    if category and category not in category_labels:
        errors.append("That category does not exist; showing every category.")
        category = None
    # Two views, both newest first: Work (a wall of projects and image posts) and Posts.
    work = request.GET.get("view") == "work" and not _wants_json(request)
    base_query = {
        "view": "work" if work else None,
        "field": field_slug,
        "category": category,
        "limit": request.GET.get("limit"),
    }
    if request.GET.get("pill"):
        return _discover_pill(request, field_slug=field_slug, category=category)
    before, after, size = _cursors(request)
    page = selectors.discover_page(
        viewer=request.user,
        field_slug=field_slug,
        category=category,
        before=before,
        after=after,
        size=size,
        hydrate=selectors.hydrate_image_posts if work else _hydrate(request),
        images_only=work,
    )
    return _respond(
        request,
        page,
        template="timelines/discover_work.html" if work else "timelines/discover.html",
        context={
            "work_view": work,
            "fields": FIELDS_OF_WORK,
            "categories": CATEGORIES,
            "field": field_slug,
            "category": category,
            "field_label": FIELD_LABELS.get(field_slug or ""),
            "category_label": category_labels.get(category or ""),
            "filter_errors": errors,
        },
        base_query=base_query,
    )


def _discover_pill(request, *, field_slug, category):
    after = parse_cursor(request.GET.get("after"))
    count = 0
    if after:
        for kind, queryset in selectors.discover_streams(
            request.user, field_slug=field_slug, category=category
        ):
            if kind == "project":
                count += selectors.count_newer_projects(queryset, after=after)
            else:
                count += selectors.count_newer(queryset, after=after)
    query = {k: v for k, v in request.GET.items() if k not in {"pill", "before"}}
    return render(
        request,
        "timelines/_pill.html",
        {
            "count": min(count, 41),
            "load_url": f"{request.path}?{urlencode(query)}",
            "pill_url": f"{request.path}?{urlencode({**query, 'pill': 1})}",
        },
    )


@require_safe
@anonymous_cached
def tag(request, tag: str):
    """Public posts with one hashtag, newest first."""
    normalised = tag.lstrip("#").casefold()
    if not normalised or len(normalised) > TAG_MAX_LENGTH:
        return render(
            request,
            "timelines/tag.html",
            {"tag": tag[:TAG_MAX_LENGTH], "tag_error": "That is not a hashtag."},
            status=404,
        )
    if request.GET.get("pill"):
        return _pill(request, selectors.tag_posts(request.user, normalised))
    before, after, size = _cursors(request)
    page = selectors.tag_timeline_page(
        viewer=request.user,
        tag=normalised,
        before=before,
        after=after,
        size=size,
        hydrate=_hydrate(request),
    )
    return _respond(
        request,
        page,
        template="timelines/tag.html",
        context={"tag": normalised},
        base_query={"limit": request.GET.get("limit")},
    )
