"""Searching: the engine says which ids match; the same rules as the rest of Kiln say which
of those the viewer may see (blocks both ways, mutes, visibility, drafts, held images,
inactive accounts, and each artist's consent to be found by people who are not logged in)."""

from contextlib import closing
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from kiln.accounts.models import User
from kiln.core.pagination import page_of_ids
from kiln.portfolio.models import Project, ProjectImage, ProjectTag
from kiln.portfolio.selectors import _annotate_covers, _with_images, viewer_sees_mature
from kiln.posts.selectors import posts_hydrated, visible_posts
from kiln.provenance.selectors import asset_is_held
from kiln.search import engines
from kiln.search.models import ArtistDocument, TagCount
from kiln.search.query import QueryProblem, SearchQuery, parse_query, prefix_words
from kiln.search.services import fold
from kiln.social.selectors import hidden_author_ids

PAGE_SIZE = 24
SUGGESTIONS = 8


@dataclass
class Results:
    items: list = field(default_factory=list)
    next_cursor: int | None = None
    problem: str | None = None  # shown instead of results ("only symbols", …)
    truncated: bool = False  # the query was cut to its first 200 characters / 12 words
    understood: str = ""  # the query as searched
    # The request parameter next_cursor goes in: "before" (an id) for newest first, "from"
    # (RankCursor text) for best match.
    cursor_param: str = "before"


def _signed_in(viewer) -> bool:
    return viewer is not None and getattr(viewer, "is_authenticated", False)


def _findable_owner(viewer, prefix: str) -> Q:
    """Active accounts, not blocked either way nor muted by the viewer; for people not
    logged in, only artists who allow search indexing."""
    rule = Q(**{f"{prefix}is_active": True})
    # Limited by moderation (accounts.User.is_limited): out of search, except for themselves.
    limited_ok = Q(**{f"{prefix}pk": viewer.pk}) if _signed_in(viewer) else Q(pk__in=[])
    rule &= Q(**{f"{prefix}is_limited": False}) | limited_ok
    hidden = hidden_author_ids(viewer)
    if hidden:
        rule &= ~Q(**{f"{prefix}pk__in": hidden})
    if not _signed_in(viewer):
        rule &= Q(**{f"{prefix}profile__allow_search_indexing": True})
    return rule


def _parse(q: str | None) -> tuple[SearchQuery | None, Results | None]:
    try:
        return parse_query(q), None
    except QueryProblem as problem:
        return None, Results(problem=str(problem))


@dataclass(frozen=True)
class RankCursor:
    """Where the next best-match page starts: the position in the ranked list, and the newest
    document the first page ranked (`asof`), so that pages cut from the same list."""

    asof: int
    offset: int

    def __str__(self) -> str:
        return f"{self.asof}.{self.offset}"


def parse_rank_cursor(raw: str | None) -> RankCursor | None:
    """ "asof.offset"; anything else (forged, garbled, past the ranked window) is ignored and
    gives the first page, like a bad `before`."""
    asof, _, offset = (raw or "").partition(".")
    if not (asof.isascii() and asof.isdigit() and offset.isascii() and offset.isdigit()):
        return None
    if len(asof) > 19 or len(offset) > 6:
        return None
    asof_id, position = int(asof), int(offset)
    if not 0 < asof_id < 2**63 or not 0 < position < engines.RANK_WINDOW:
        return None
    return RankCursor(asof=asof_id, offset=position)


def _best_page(queryset: QuerySet, kind, *, query=None, words=None, cursor, size: int):
    """One page of the best matches the viewer may see, and the cursor of the next.

    Each page ranks the same list again (documents up to `asof`, in a total order) and keeps
    what the viewer may see, so pages neither repeat nor skip while the index holds still;
    it ranks more candidates as the pages go deeper, up to RANK_WINDOW."""
    asof = cursor.asof if cursor else engines.newest_key(kind)
    if asof is None:
        return [], None
    offset = cursor.offset if cursor else 0
    wanted = offset + size + 1  # one more than the page: is there a next one?
    limit = max(engines.CANDIDATES, 2 * wanted)
    while True:
        limit = min(limit, engines.RANK_WINDOW)
        candidates = engines.ranked_ids(kind, query=query, words=words, limit=limit, upto=asof)
        visible = _visible_prefix(queryset, candidates, wanted)
        if len(visible) >= wanted or len(candidates) < limit or limit >= engines.RANK_WINDOW:
            break
        limit *= 4
    more = len(visible) > offset + size
    return visible[offset : offset + size], RankCursor(asof, offset + size) if more else None


# Who may see the ranked candidates is asked in slices, stopping once the page is full: for
# 500 ids at once PostgreSQL hashed all 50,000 accounts (33 ms) instead of looking the 500
# authors up (3 ms at 256 ids or fewer, 1M posts).
CHECK_SLICE = 256


def _visible_prefix(queryset: QuerySet, candidates: list[int], wanted: int) -> list[int]:
    """The candidates the viewer may see, in order, from the first until `wanted` of them
    (or all of them when fewer are visible)."""
    visible: list[int] = []
    start = 0
    step = min(CHECK_SLICE, max(64, 2 * wanted))  # a first page: 64 ids, most of them visible
    while start < len(candidates) and len(visible) < wanted:
        chunk = candidates[start : start + step]
        allowed = set(queryset.filter(pk__in=chunk).values_list("pk", flat=True))
        visible += [pk for pk in chunk if pk in allowed]
        start, step = start + step, CHECK_SLICE
    return visible


# Newest-first pages read the engine's matches in id order, a window at a time, and keep the
# ones the viewer may see (one key lookup per window), until the page is full. Windows
# grow, so a page of common words costs one window and a viewer who may see few of the
# matches costs a few; after MAX_WINDOWS the page ends early and "More" carries on.
FIRST_WINDOW = 64
MAX_WINDOWS = 5


def _page(queryset: QuerySet, kind, query, *, sort: str, before, rank_from, size: int):
    """Ids of one page and the next cursor: newest first, or the best text matches."""
    if query is not None and sort == "best":
        return _best_page(queryset, kind, query=query, cursor=rank_from, size=size)
    if query is None:  # filters alone: a plain listing
        if before is not None:
            queryset = queryset.filter(pk__lt=before)
        rows = list(queryset.order_by("-pk").values_list("pk", flat=True)[: size + 1])
        page = page_of_ids(rows, size)
        return page.items, page.next_cursor
    found: list[int] = []
    sizes = [FIRST_WINDOW * 4**i for i in range(MAX_WINDOWS)]
    with closing(engines.newest_windows(kind, query=query, before=before, sizes=sizes)) as chunks:
        for window, chunk in zip(sizes, chunks, strict=False):
            allowed = set(queryset.filter(pk__in=chunk).values_list("pk", flat=True))
            for pk in chunk:
                if pk in allowed:
                    found.append(pk)
                    if len(found) > size:
                        return found[:size], found[size - 1]
            if len(chunk) < window:
                return found, None
            before = chunk[-1]
    return found, before


def _results(query, ids, cursor, items, *, ranked=False) -> Results:
    return Results(
        items=items,
        next_cursor=cursor,
        cursor_param="from" if ranked else "before",
        truncated=bool(query and query.truncated),
        understood=query.text if query else "",
    )


# --- posts -----------------------------------------------------------------------------------


def search_posts(
    *,
    viewer,
    q: str | None,
    sort: str = "new",
    before=None,
    rank_from: RankCursor | None = None,
    size=PAGE_SIZE,
    hydrate=True,
):
    """Public posts, and followers-only posts the viewer may see, whose text matches.
    `hydrate=False` leaves the ids as items (the benchmark separates search from cards)."""
    query, problem = _parse(q)
    if problem or query is None:
        return problem or Results()
    hidden = hidden_author_ids(viewer)
    # Reposts have no document, so no reblog filter: on SQLite it made the planner walk
    # the reblog index instead of looking the page's ids up by key.
    posts = visible_posts(viewer, blocked=hidden).filter(author__is_active=True)
    posts = posts.filter(Q(author__is_limited=False) | Q(author_id=getattr(viewer, "pk", None)))
    if not _signed_in(viewer):
        posts = posts.filter(author__profile__allow_search_indexing=True)
    ids, cursor = _page(
        posts, engines.POSTS, query, sort=sort, before=before, rank_from=rank_from, size=size
    )
    items = posts_hydrated(ids, viewer, hidden=hidden) if hydrate else ids
    ranked = sort == "best"
    return _results(query, ids, cursor, items, ranked=ranked)


# --- work (portfolio projects) ---------------------------------------------------------------

WORK_FILTERS = {  # request parameter -> ProjectTag kind
    "field": ProjectTag.Kind.FIELD,
    "category": ProjectTag.Kind.CATEGORY,
    "medium": ProjectTag.Kind.MEDIUM,
    "software": ProjectTag.Kind.SOFTWARE,
}


def visible_work(*, viewer, filters: dict[str, str], hide_mature: bool = False) -> QuerySet:
    # "Not a draft" rather than "published" (the same two states): SQLite would otherwise
    # walk the state index through every published project instead of the page's ids.
    projects = Project.objects.exclude(state=Project.State.DRAFT).filter(
        _findable_owner(viewer, "owner__")
    )
    # Held images (AI screening, repost match) keep their project out of results.
    held = ProjectImage.objects.filter(project_id=OuterRef("pk")).filter(
        asset_is_held(OuterRef("asset_id"))
    )
    projects = projects.exclude(Exists(held))
    if hide_mature or not viewer_sees_mature(viewer=viewer):
        projects = projects.filter(is_mature=False)
    for name, kind in WORK_FILTERS.items():
        slug = filters.get(name)
        if slug:
            projects = projects.filter(
                Exists(ProjectTag.objects.filter(project_id=OuterRef("pk"), kind=kind, slug=slug))
            )
    return projects


def search_work(
    *,
    viewer,
    q,
    filters=None,
    hide_mature=False,
    sort="new",
    before=None,
    rank_from: RankCursor | None = None,
    size=PAGE_SIZE,
    hydrate=True,
):
    """Published projects matching the text and filters; with filters alone, a listing.
    `hydrate=False` leaves the ids as items (the benchmark separates search from tiles)."""
    filters = {k: v for k, v in (filters or {}).items() if v}
    query, problem = _parse(q)
    if problem:
        return problem
    if query is None and not filters:
        return Results()
    projects = visible_work(viewer=viewer, filters=filters, hide_mature=hide_mature)
    ids, cursor = _page(
        projects,
        engines.PROJECTS,
        query,
        sort=sort,
        before=before,
        rank_from=rank_from,
        size=size,
    )
    ranked = query is not None and sort == "best"
    if not hydrate:
        return _results(query, ids, cursor, ids, ranked=ranked)
    by_id = {p.pk: p for p in _with_images(Project.objects.filter(pk__in=ids))}
    items = _annotate_covers(by_id[pk] for pk in ids if pk in by_id)
    return _results(query, ids, cursor, items, ranked=ranked)


# --- artists ---------------------------------------------------------------------------------


def search_artists(
    *,
    viewer,
    q,
    status="",
    field_slug="",
    location="",
    before=None,
    rank_from: RankCursor | None = None,
    size=PAGE_SIZE,
):
    """Artists by name, @handle, bio, location, fields and software: every word as a prefix
    ("mira ok"), plus trigram similarity on PostgreSQL (typos). Best match first with words;
    newest accounts first for filters alone."""
    query, problem = _parse(q)
    if problem:
        return problem
    location = " ".join((location or "").split())[:60]
    if query is None and not (status or field_slug or location):
        return Results()
    users = User.objects.filter(_findable_owner(viewer, ""))
    if status:
        users = users.filter(profile__status=status)
    if field_slug:
        users = users.filter(
            Exists(
                ArtistDocument.objects.filter(
                    user_id=OuterRef("pk"), fields__contains=f"|{field_slug}|"
                )
            )
        )
    if location:
        users = users.filter(profile__location__icontains=location)
    if query is not None:
        ids, cursor = _best_page(
            users, engines.ARTISTS, words=query.words, cursor=rank_from, size=size
        )
    else:
        if before is not None:
            users = users.filter(pk__lt=before)
        page = page_of_ids(
            list(users.order_by("-pk").values_list("pk", flat=True)[: size + 1]), size
        )
        ids, cursor = page.items, page.next_cursor
    by_id = {u.pk: u for u in User.objects.filter(pk__in=ids).select_related("profile")}
    return _results(
        query, ids, cursor, [by_id[pk] for pk in ids if pk in by_id], ranked=query is not None
    )


# --- tags and suggestions --------------------------------------------------------------------


def search_tags(*, q: str | None, limit: int = 40) -> Results:
    """Tags starting with the first word typed, most used first, with their counts."""
    words = prefix_words((q or "").lstrip("#"))
    if not words:
        return Results(problem="Type the start of a tag." if q and q.strip() else None)
    return Results(items=tags_with_prefix(words[0], limit=limit), understood=words[0])


def tags_with_prefix(prefix: str, *, limit: int) -> list[TagCount]:
    # A range on the primary key: an index seek on both databases (LIKE can't use it on SQLite).
    rows = TagCount.objects.filter(tag__gte=prefix, tag__lt=prefix + "\U0010ffff").filter(
        Q(posts__gt=0) | Q(projects__gt=0)
    )
    return list(rows.annotate(uses=F("posts") + F("projects")).order_by("-uses", "tag")[:limit])


def suggest_people(*, viewer, prefix: str, limit: int = SUGGESTIONS) -> list[User]:
    """@mention and search-box suggestions: findable artists whose name or handle starts
    with what was typed."""
    words = prefix_words(prefix.lstrip("@"))
    if not words:
        return []
    candidates = engines.name_prefix_ids([fold(w) for w in words], limit=50)
    users = User.objects.filter(_findable_owner(viewer, ""), pk__in=candidates)
    by_id = {u.pk: u for u in users.select_related("profile")}
    return [by_id[pk] for pk in candidates if pk in by_id][:limit]


def suggest_tags(*, prefix: str, limit: int = SUGGESTIONS) -> list[TagCount]:
    words = prefix_words(prefix.lstrip("#"))
    if not words:
        return []
    return tags_with_prefix(words[0], limit=limit)
