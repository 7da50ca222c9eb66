"""Post cards, rendered once and shared by every reader who would see the same card.

A timeline page used to hydrate every post (six queries) and render every card through the
template engine (about 0.6 ms a card) on every request: 10 ms of a 17 ms home page. What a
card shows depends on
- the post and what it reposts: text and images (both change only by an edit, which sets
  `edited_at`), counts, visibility, the authors' profiles (their `updated_at`), the quoted
  post (edited, deleted, or by someone hidden from this reader), whether an image is held
  for review, the state of a shared project, and the year (dates show it once it is past;
  "5m"-style ages are drawn by kiln.js from the <time> element, so they need no re-render);
- a few facts about the reader: liked, reposted, bookmarked, wrote it, signed in, shows
  mature work unblurred.
A page reads all of those with one prepared query (kiln.core.fastdb), and a card is
cached per process under exactly that key (and in Redis, when there is one, for every
process); only cards missing from the cache are hydrated and rendered. What is left out
of the key (a shared project's new title or cover, a quoted author's new name, "Replying
to @name" after a rename) may be up to CARD_TTL_SECONDS old.

The CSRF token differs per reader, so cards are rendered with a placeholder that is swapped
for the reader's token when served.
"""

from __future__ import annotations

import functools
import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from kiln.accounts.selectors import profile_of
from kiln.core.expressions import InSubquery
from kiln.core.fastdb import PreparedQuery
from kiln.core.pagination import MAX_PAGE_SIZE, NO_CURSOR, page_of_ids
from kiln.core.templateversion import template_version
from kiln.portfolio.selectors import project_state_subquery
from kiln.posts import selectors
from kiln.posts.models import Bookmark, Post, PostAttachment, PostLike
from kiln.posts.status_media import media_attachments
from kiln.provenance.selectors import asset_is_held

CARD_TTL_SECONDS = 600
CARD_CACHE_ENTRIES = 4096
CARD_TEMPLATE = "posts/_post.html"
# Letters only: the `{% csrf_token %}` tag escapes it into a value="" attribute unchanged.
CSRF_PLACEHOLDER = "KilnCsrfTokenPlaceholderXq"
# A page of posts plus the newer-posts pill's page: ids per prepared query.
MAX_CARDS = 2 * MAX_PAGE_SIZE

_POST_COLUMNS = (
    "id",
    "author_id",
    "deleted_at",
    "edited_at",
    "created_at",
    "visibility",
    "likes_count",
    "reblogs_count",
    "replies_count",
    "text",
    "text_html",
    "content_warning",
    "is_mature",
    "author__username",
    "author__profile__display_name",
    "author__profile__updated_at",
    "quote_id",
    "quote__author_id",
    "quote__deleted_at",
    "quote__edited_at",
    "shared_project_id",
    "in_reply_to_id",
)
_ROW = {name: index for index, name in enumerate(_POST_COLUMNS)}
_WIDTH = len(_POST_COLUMNS)


def _card_extras(post_ref: str) -> dict:
    """Facts from other apps that change a card: whether any of the post's images is held
    for review (provenance), and the state of a shared project (portfolio). Subqueries of the
    page's own query, so they cost no extra round trip."""
    images = PostAttachment.objects.filter(post_id=OuterRef(post_ref))
    prefix = "" if post_ref == "pk" else "reblog__"
    return {
        "held": Exists(images.filter(asset_is_held(OuterRef("asset_id")))),
        "project_state": project_state_subquery(OuterRef(f"{prefix}shared_project_id")),
    }


def _build_posts_with_originals(ids, reader_id, *, extras: bool = True):
    own = _card_extras("pk") if extras else {}
    original = _card_extras("reblog_id") if extras else {}
    shown = OuterRef("shown_id")  # what the card shows: the original of a repost
    # `ids`: a list, or a queryset of another app that picks them (StatusesQuery).
    picked = InSubquery("pk", ids) if isinstance(ids, QuerySet) else Q(pk__in=ids)
    return (
        Post.objects.filter(picked)
        .alias(shown_id=Coalesce("reblog_id", "id"))
        .annotate(**{f"own_{k}": v for k, v in own.items()})
        .annotate(**{f"original_{k}": v for k, v in original.items()})
        .annotate(
            reader_liked=Exists(PostLike.objects.filter(user_id=reader_id, post_id=shown)),
            # "reblog_id IS NOT NULL" lets both databases probe the partial unique index on
            # (author, reblog) instead of reading all of the reader's posts.
            reader_reposted=Exists(
                Post.objects.filter(author_id=reader_id, reblog_id=shown, reblog__isnull=False)
            ),
            reader_bookmarked=Exists(
                Bookmark.objects.filter(collection__owner_id=reader_id, post_id=shown)
            ),
            # JSON asks for media attachments only when a page has any.
            shown_has_media=Exists(PostAttachment.objects.filter(post_id=shown)),
        )
        .values_list(
            *_POST_COLUMNS,
            "reblog_id",
            *(f"reblog__{name}" for name in _POST_COLUMNS),
            *(f"own_{k}" for k in own),
            *(f"original_{k}" for k in original),
            "reader_liked",
            "reader_reposted",
            "reader_bookmarked",
            "shown_has_media",
        )
    )


# Each post with the post it reposts and the reader's likes, reposts and bookmarks of what it
# shows, in one joined query: [its columns, reblog_id, the original's columns, its extras,
# the original's extras, liked, reposted, bookmarked, has images]. No user has id 0
# (signed out).
# Columns only compared (a key) or tested for None, read as stored.
_OPAQUE = ("deleted_at", "author__profile__updated_at", "quote__deleted_at", "quote__edited_at")
_OPAQUE = (*_OPAQUE, *(f"reblog__{name}" for name in _OPAQUE))
_posts_with_originals = PreparedQuery(_build_posts_with_originals, MAX_CARDS, "int", opaque=_OPAQUE)
# The same without the extras, for JSON (which shows neither images nor project cards). It
# converts nothing: `_status` writes datetimes as the driver returns them (`_iso`) and bool()s
# the flags, which saves a converter call per column per row.
_PLAIN_OPAQUE = ("created_at", "edited_at", "is_mature")
_PLAIN_OPAQUE = (*_OPAQUE, *_PLAIN_OPAQUE, *(f"reblog__{name}" for name in _PLAIN_OPAQUE))
_posts_with_originals_plain = PreparedQuery(
    lambda ids, reader_id: _build_posts_with_originals(ids, reader_id, extras=False),
    MAX_CARDS,
    "int",
    opaque=(
        *_PLAIN_OPAQUE,
        "reader_liked",
        "reader_reposted",
        "reader_bookmarked",
        "shown_has_media",
    ),
)
_TRAILING_FLAGS = 4  # liked, reposted, bookmarked, has images


class _CardCache:
    """A small least-recently-used map with expiry, shared by a process's threads."""

    def __init__(self, entries: int):
        self.entries = entries
        self._data: OrderedDict[tuple, tuple[float, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, now: float) -> str | None:
        with self._lock:
            found = self._data.get(key)
            if found is None:
                return None
            if found[0] < now:
                del self._data[key]
                return None
            self._data.move_to_end(key)
            return found[1]

    def put(self, key: tuple, html: str, now: float) -> None:
        with self._lock:
            self._data[key] = (now + CARD_TTL_SECONDS, html)
            self._data.move_to_end(key)
            while len(self._data) > self.entries:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


_cache = _CardCache(CARD_CACHE_ENTRIES)


_shared_generation = 0  # bumped by clear_card_cache: this process stops seeing older entries


def clear_card_cache() -> None:
    """Forget every cached card (this process's, and the shared ones as this process sees
    them). Tests use it to measure the worst case."""
    global _shared_generation
    _cache.clear()
    _shared_generation += 1


def _shared_cache():
    """With Redis, cards are shared by every process and machine too (a card rendered once
    serves the whole cluster); the local-memory cache is per process already, like `_cache`."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    backend = caches["default"]
    return backend if isinstance(backend, RedisCache) else None


def _shared_key(key: tuple) -> str:
    """The key in the shared cache: the card's own key, versioned by the card template (and
    what it includes) and Kiln's release, so a deploy never serves cards its old templates
    rendered (they expire unseen within CARD_TTL_SECONDS)."""
    digest = hashlib.blake2b(repr(key).encode(), digest_size=16).hexdigest()
    return f"card:{template_version(CARD_TEMPLATE)}:{_shared_generation}:{digest}"


@dataclass
class PostFacts:
    """What a page needs to know about one item, read for a whole page by one query."""

    pk: int  # the timeline item: a post, or a repost
    row: tuple  # the item's own columns (_POST_COLUMNS)
    display: tuple  # the columns of what it shows: itself, or the reposted original
    reblog_of: int | None
    liked: bool
    reposted: bool
    bookmarked: bool
    has_media: bool  # what it shows has images (JSON reads their attachments only then)
    key: tuple  # everything a rendered card depends on (see the module docstring)
    html: SafeString | None = None  # set by post_cards

    @property
    def display_pk(self) -> int:
        return self.display[0]


class _AssetsAlreadyLinked:
    """Stands in for the request while a shared card renders: pages that show cached cards
    link the card's stylesheet and script in <head>, so the card never emits them."""

    _kiln_feed_assets = True


def _render(post, *, reader, compact: bool, in_thread: bool) -> str:
    return render_to_string(
        CARD_TEMPLATE,
        {
            "post": post,
            "user": reader,
            "request": _AssetsAlreadyLinked(),
            "csrf_token": CSRF_PLACEHOLDER,
            "compact": compact,
            "in_thread": in_thread,
        },
    )


def post_facts(ids, reader, *, hidden: set[int], compact=False, in_thread=False, for_cards=True):
    """Facts for these post ids, in order, leaving out what `posts_hydrated` leaves out
    (deleted posts, reposts of deleted posts, anything by an author in `hidden`).
    One prepared query, whatever the number of ids.
    `for_cards=False` (JSON) skips what only a rendered card needs: the extras and the key."""
    ids = [int(i) for i in ids]
    if len(ids) > MAX_CARDS:  # longer lists (no timeline asks for one) go in slices
        return [
            facts
            for start in range(0, len(ids), MAX_CARDS)
            for facts in post_facts(
                ids[start : start + MAX_CARDS],
                reader,
                hidden=hidden,
                compact=compact,
                in_thread=in_thread,
                for_cards=for_cards,
            )
        ]
    if not ids:
        return []
    reader_id = _reader_id(reader)
    query = _posts_with_originals if for_cards else _posts_with_originals_plain
    rows = {row[0]: row for row in query(ids, reader_id or 0)}
    return _facts_from_rows(
        ids,
        rows,
        reader,
        hidden=hidden,
        compact=compact,
        in_thread=in_thread,
        for_cards=for_cards,
    )


def _reader_id(reader) -> int | None:
    return reader.pk if reader is not None and reader.is_authenticated else None


def _sees_held(reader, display: tuple) -> bool:
    """kiln.posts.selectors.visibility_q's rule for held work: its author and staff only."""
    return _reader_id(reader) == display[_ROW["author_id"]] or bool(
        getattr(reader, "is_staff", False)
    )


def _facts_from_rows(ids, rows: dict, reader, *, hidden, compact, in_thread, for_cards):
    """`post_facts` from the facts query's rows (by post id), in the order of `ids`."""
    reader_id = _reader_id(reader)
    shows_mature = bool(for_cards and reader_id and profile_of(reader).show_mature)
    this_year = timezone.localtime().year

    found = []
    for pk in ids:
        row = rows.get(pk)
        if row is None or row[_ROW["deleted_at"]] is not None or row[_ROW["author_id"]] in hidden:
            continue
        extras_end = len(row) - _TRAILING_FLAGS
        half = (extras_end - (2 * _WIDTH + 1)) // 2
        display, display_extras = row[:_WIDTH], row[2 * _WIDTH + 1 : 2 * _WIDTH + 1 + half]
        if row[_WIDTH] is not None:
            display = row[_WIDTH + 1 : 2 * _WIDTH + 1]
            display_extras = row[2 * _WIDTH + 1 + half : extras_end]
            if display[0] is None or display[_ROW["deleted_at"]] is not None:
                continue
            if display[_ROW["author_id"]] in hidden:
                continue
        # A post with an image held for review is its author's (and staff's) alone until
        # cleared (the JSON path, which reads no extras, drops it in `_statuses`).
        if for_cards and display_extras[0] and not _sees_held(reader, display):
            continue
        quote_unavailable = display[_ROW["quote_id"]] is not None and (
            display[_ROW["quote__deleted_at"]] is not None
            or display[_ROW["quote__author_id"]] in hidden
        )
        liked, reposted, bookmarked, has_media = (bool(flag) for flag in row[extras_end:])
        key = (
            ()
            if not for_cards
            else (
                compact,
                in_thread,
                pk,
                row[_ROW["author__profile__updated_at"]],  # the reposter's name, for a repost
                display[_ROW["edited_at"]],
                display[_ROW["visibility"]],
                display[_ROW["likes_count"]],
                display[_ROW["reblogs_count"]],
                display[_ROW["replies_count"]],
                display[_ROW["author__profile__updated_at"]],
                display[_ROW["quote__edited_at"]],
                quote_unavailable,
                display_extras,  # images held for review; the shared project's state
                this_year,  # dates show the year once it is not this year
                reader_id is not None,
                shows_mature,
                display[_ROW["author_id"]] == reader_id,
                liked,
                reposted,
                bookmarked,
            )
        )
        found.append(
            PostFacts(
                pk=pk,
                row=row[:_WIDTH],
                display=display,
                reblog_of=row[_WIDTH],
                liked=liked,
                reposted=reposted,
                bookmarked=bookmarked,
                has_media=has_media,
                key=key,
            )
        )
    return found


def post_cards(
    ids, reader, *, hidden: set[int], request=None, compact: bool = False, in_thread: bool = False
) -> list[PostFacts]:
    """`post_facts` with each item's rendered card in `.html`.

    Only cards missing from the cache are hydrated (the queries of `posts_hydrated`) and
    rendered. `request` supplies the reader's CSRF token for the card's forms.
    """
    facts = post_facts(ids, reader, hidden=hidden, compact=compact, in_thread=in_thread)
    now = time.time()
    html_by_pk: dict[int, str] = {}
    missing = []
    for item in facts:
        html = _cache.get(item.key, now)
        if html is None:
            missing.append(item.pk)
        else:
            html_by_pk[item.pk] = html
    shared = _shared_cache() if missing else None
    if shared is not None:
        missing_pks = set(missing)
        wanted = {_shared_key(item.key): item for item in facts if item.pk in missing_pks}
        for shared_key, html in shared.get_many(list(wanted)).items():
            item = wanted[shared_key]
            html_by_pk[item.pk] = html
            _cache.put(item.key, html, now)
        missing = [pk for pk in missing if pk not in html_by_pk]
    if missing:
        rendered = {
            post.pk: _render(post, reader=reader, compact=compact, in_thread=in_thread)
            for post in selectors.posts_hydrated(missing, reader, hidden=hidden)
        }
        to_share = {}
        for item in facts:
            html = rendered.get(item.pk)
            if html is None:
                continue
            html_by_pk[item.pk] = html
            # A card with an image still processing changes within seconds: not shared.
            if "kiln-picture-pending" not in html:
                _cache.put(item.key, html, now)
                to_share[_shared_key(item.key)] = html
        if shared is not None and to_share:
            shared.set_many(to_share, timeout=CARD_TTL_SECONDS)

    signed_in = reader is not None and reader.is_authenticated
    # Only signed-in readers' cards hold forms; asking for a token would set a CSRF cookie on
    # a visitor's response and make the page uncacheable for them.
    token = get_token(request) if request is not None and signed_in else ""
    cards = []
    for item in facts:
        html = html_by_pk.get(item.pk)
        if html is None:  # hydration disagreed (changed in between): leave it out
            continue
        item.html = mark_safe(html.replace(CSRF_PLACEHOLDER, token))  # noqa: S308 - the card template's output
        cards.append(item)
    return cards


def _iso(value) -> str | None:
    """A datetime column as Mastodon writes it (ISO 8601, UTC), from what the plain query
    returns: PostgreSQL gives an aware datetime; SQLite's driver a naive one in UTC (the
    zone Django stores in), which the ORM's converter would only have made aware."""
    if value is None:
        return None
    return value.isoformat() if value.tzinfo is not None else value.isoformat() + "+00:00"


def _status(columns: tuple, pk: int, facts: PostFacts, *, own: bool, media: list) -> dict:
    """Mastodon-Status-shaped JSON for one post; `media`: its MediaAttachment dicts."""
    get = columns.__getitem__
    username = get(_ROW["author__username"])
    status = {
        "id": str(pk),
        "created_at": _iso(get(_ROW["created_at"])),
        "url": f"/@{username}/posts/{pk}",
        "account": {
            "id": str(get(_ROW["author_id"])),
            "username": username,
            "display_name": get(_ROW["author__profile__display_name"]) or username,
        },
        "visibility": get(_ROW["visibility"]),
        "in_reply_to_id": str(v) if (v := get(_ROW["in_reply_to_id"])) else None,
        "quote_id": str(v) if (v := get(_ROW["quote_id"])) else None,
        "spoiler_text": get(_ROW["content_warning"]),
        "sensitive": bool(get(_ROW["is_mature"]) or get(_ROW["content_warning"])),
        "content": get(_ROW["text_html"]),
        "text": get(_ROW["text"]),
        "edited_at": _iso(get(_ROW["edited_at"])),
        "replies_count": get(_ROW["replies_count"]),
        "reblogs_count": get(_ROW["reblogs_count"]),
        "favourites_count": get(_ROW["likes_count"]),
        "media_attachments": media,
    }
    if own:
        status.update(favourited=facts.liked, reblogged=facts.reposted, bookmarked=facts.bookmarked)
    return status


def post_statuses(ids, reader, *, hidden: set[int]) -> list[dict]:
    """The JSON timelines' items: `post_facts` as Mastodon-Status-shaped dicts, a repost
    carrying its original under "reblog" as Mastodon does. No rendering at all."""
    return _statuses(post_facts(ids, reader, hidden=hidden, for_cards=False), reader)


class StatusesQuery:
    """Statuses for the posts that another app's query picks, read in the same round trip
    as their facts: the picking query becomes a subquery of the facts query.

    `pick(*args)` returns a queryset of at most a page plus one post ids, newest first (a
    timeline's entries below a cursor, say); `shape` describes `args` as PreparedQuery's does.
    Calling it returns the page's statuses and all the ids picked, newest first, so the caller
    can tell whether there is an older page. Ids are time-sortable, so newest first is
    descending id order, whatever order the database returns the rows in.
    """

    def __init__(self, pick, *shape):
        self._query = PreparedQuery(
            lambda *args: _build_posts_with_originals(pick(*args[:-1]), args[-1], extras=False),
            *shape,
            "int",
            opaque=_posts_with_originals_plain.opaque,
        )

    def __call__(self, *args, reader, hidden: set[int], size: int) -> tuple[list[dict], list[int]]:
        rows = {row[0]: row for row in self._query(*args, _reader_id(reader) or 0)}
        picked = sorted(rows, reverse=True)
        facts = _facts_from_rows(
            picked[:size],
            rows,
            reader,
            hidden=hidden,
            compact=False,
            in_thread=False,
            for_cards=False,
        )
        return _statuses(facts, reader), picked


def _statuses(page: list[PostFacts], reader=None) -> list[dict]:
    statuses = []
    media, held = media_attachments(
        (facts.display_pk for facts in page if facts.has_media), with_held=True
    )
    for facts in page:
        if facts.display_pk in held and not _sees_held(reader, facts.display):
            continue  # held for review: its author's and staff's alone, as on the web
        shown = media.get(facts.display_pk, [])
        if facts.reblog_of is None:
            statuses.append(_status(facts.row, facts.pk, facts, own=True, media=shown))
            continue
        # As Mastodon: a reblog's own status carries no media; its "reblog" does.
        status = _status(facts.row, facts.pk, facts, own=False, media=[])
        status["reblog"] = _status(facts.display, facts.display_pk, facts, own=True, media=shown)
        statuses.append(status)
    return statuses


# --- the profile's Posts tab as JSON (its ids query is the posts selectors') ----------------


@functools.lru_cache(maxsize=2 * MAX_PAGE_SIZE)
def _profile_statuses_query(size: int, signed_in: bool):
    """One compiled query per page size and kind of reader (the LIMIT is part of the SQL)."""
    if signed_in:
        return StatusesQuery(
            lambda owner_id, before, reader_id: selectors.profile_posts_queryset(
                owner_id, before, selectors.ReaderById(reader_id), limit=size + 1
            ),
            "int",
            "int",
            "int",
        )
    return StatusesQuery(
        lambda owner_id, before: selectors.profile_posts_queryset(owner_id, before, limit=size + 1),
        "int",
        "int",
    )


def profile_statuses_page(
    *, owner, viewer, hidden: set[int], before=None, size=20
) -> tuple[list[dict], int | None]:
    """The Posts tab as JSON statuses and the next cursor: the page's ids and their facts in
    one round trip. Reposts of work by an author in `hidden` are left out, as on the page."""
    size = min(size, MAX_PAGE_SIZE)
    before = NO_CURSOR if before is None else before
    viewer_id = _reader_id(viewer)
    query = _profile_statuses_query(size, viewer_id is not None)
    args = (owner.pk, before) if viewer_id is None else (owner.pk, before, viewer_id)
    statuses, picked = query(*args, reader=viewer, hidden=hidden, size=size)
    return statuses, page_of_ids(picked, size).next_cursor
