"""/search (one page, four tabs) and /search/suggest (autocomplete JSON). Thin: parse the
request, check the rate limit, ask the selectors."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from kiln.accounts.choices import FIELDS_OF_WORK, AvailabilityStatus
from kiln.core.pagination import parse_cursor
from kiln.portfolio import taxonomy
from kiln.search import selectors
from kiln.search.query import MAX_QUERY_CHARS
from kiln.shield.client import client_ip, client_key
from kiln.shield.ratelimit import rate_limit_hit

TABS = [("artists", "Artists"), ("work", "Work"), ("posts", "Posts"), ("tags", "Tags")]
TAB_NAMES = dict(TABS)
# Search sends noindex (the page is a view of other pages, not content of its own).
ROBOTS = "noindex, nofollow, noai, noimageai"


def _rate_limited(request, scope: str, limit: int):
    """Seconds to wait when this client searched too often, else None."""
    return rate_limit_hit(
        scope=scope,
        ident=client_key(client_ip(request)),
        limit=limit,
        window=settings.KILN_RATE_WINDOW_SECONDS,
    )


def _options(canonical: dict[str, list[str]]) -> list[tuple[str, str]]:
    return sorted((slugify(name), name) for name in canonical)


@require_GET
def search(request):
    tab = request.GET.get("tab", "")
    tab = tab if tab in TAB_NAMES else "artists"
    q = request.GET.get("q", "")
    context = {
        "tabs": TABS,
        "tab": tab,
        "q": q[:MAX_QUERY_CHARS],
        "robots": ROBOTS,
        "max_query": MAX_QUERY_CHARS,
        "statuses": [(s.value, s.label) for s in AvailabilityStatus if s != "unavailable"],
        "fields": FIELDS_OF_WORK,
        "categories": taxonomy.CATEGORIES,
        "mediums": _options(taxonomy.MEDIUMS),
        "software_options": _options(taxonomy.SOFTWARE),
        "params": request.GET,
        "sort": "best" if request.GET.get("sort") == "best" else "new",
    }
    retry = _rate_limited(request, "search", settings.KILN_RATE_SEARCH)
    if retry is not None:
        context["results"] = selectors.Results(
            problem=f"Too many searches from your connection. Try again in {retry} s."
        )
        response = render(request, "search/search.html", context, status=429)
        response["Retry-After"] = str(retry)
        response["X-Robots-Tag"] = ROBOTS
        return response
    context["results"] = _results(request, tab, q, context["sort"])
    context["filtered"] = any(
        request.GET.get(k)
        for k in ("status", "field", "location", "category", "medium", "software")
    )
    response = render(request, "search/search.html", context)
    response["X-Robots-Tag"] = ROBOTS
    return response


def _choice(request, name: str, allowed) -> str:
    """A filter value from a fixed list; anything else is no filter (it changes no data)."""
    value = request.GET.get(name, "")
    return value if value in allowed else ""


def _results(request, tab: str, q: str, sort: str):
    viewer = request.user
    before = parse_cursor(request.GET.get("before"))
    rank_from = selectors.parse_rank_cursor(request.GET.get("from"))
    if tab == "artists":
        return selectors.search_artists(
            viewer=viewer,
            q=q,
            status=_choice(request, "status", AvailabilityStatus.values),
            field_slug=_choice(request, "field", dict(FIELDS_OF_WORK)),
            location=request.GET.get("location", ""),
            before=before,
            rank_from=rank_from,
        )
    if tab == "work":
        filters = {
            "field": _choice(request, "field", dict(FIELDS_OF_WORK)),
            "category": _choice(request, "category", taxonomy.CATEGORY_LABELS),
            "medium": _choice(request, "medium", dict(_options(taxonomy.MEDIUMS))),
            "software": _choice(request, "software", dict(_options(taxonomy.SOFTWARE))),
        }
        return selectors.search_work(
            viewer=viewer,
            q=q,
            filters=filters,
            hide_mature=request.GET.get("mature") == "hide",
            sort=sort,
            before=before,
            rank_from=rank_from,
        )
    if tab == "posts":
        return selectors.search_posts(
            viewer=viewer, q=q, sort=sort, before=before, rank_from=rank_from
        )
    return selectors.search_tags(q=q)


@require_GET
def suggest(request):
    """Up to 8 suggestions for "@mi", "#wat" or plain text (the search box: people, then
    tags). JSON: {"items": [{"value", "label", "detail", "url"}]}."""
    retry = _rate_limited(request, "suggest", settings.KILN_RATE_SUGGEST)
    if retry is not None:
        response = JsonResponse({"items": [], "error": "Too many requests."}, status=429)
        response["Retry-After"] = str(retry)
        return response
    q = request.GET.get("q", "")[:MAX_QUERY_CHARS]
    items = []
    if not q.startswith("#"):
        for person in selectors.suggest_people(viewer=request.user, prefix=q):
            items.append(
                {
                    "value": f"@{person.username}",
                    "label": person.profile.name,
                    "detail": f"@{person.username}",
                    "url": f"/@{person.username}",
                }
            )
    if not q.startswith("@"):
        for tag in selectors.suggest_tags(prefix=q):
            uses = tag.posts + tag.projects
            items.append(
                {
                    "value": f"#{tag.tag}",
                    "label": f"#{tag.tag}",
                    "detail": f"{uses} post{'s' if uses != 1 else ''} and projects"
                    if tag.projects
                    else f"{uses} post{'s' if uses != 1 else ''}",
                    "url": f"/tags/{tag.tag}",
                }
            )
    response = JsonResponse({"items": items[: selectors.SUGGESTIONS]})
    response["X-Robots-Tag"] = ROBOTS
    return response
