"""Reads for the Following, Discover and tag timelines.

Every page is: one indexed range query for the ids on the page (cursor = a time-sortable id,
never OFFSET), then one fixed set of hydration queries for those ids. So the number of
queries does not depend on the page size. A JSON Following page folds the range query into
the facts query (`home_statuses_page`): one query in all.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef

from kiln.core.fastdb import PreparedQuery
from kiln.core.ids import id_for_time
from kiln.core.pagination import (
    MAX_PAGE_SIZE,
    NO_CURSOR,
    CursorPage,
    page_of_ids,
    paginate_by_id,
)
from kiln.portfolio.models import Project, ProjectImage, ProjectTag
from kiln.portfolio.selectors import cover_image
from kiln.posts.cards import StatusesQuery
from kiln.posts.models import Post, PostAttachment, PostTag
from kiln.posts.selectors import posts_hydrated
from kiln.social.selectors import hidden_author_ids as social_hidden_author_ids
from kiln.timelines.models import TimelineEntry, TimelineRebuild


def page_by_id(
    queryset, *, before: int | None, after: int | None, size: int, field: str = "id"
) -> CursorPage:
    """Older pages come from the core helper. Newer items (the "new posts" pill) are read
    oldest-first from just above `after`, so a burst of more than a page of new posts is
    loaded in order, page by page, with no gap between what was shown and what comes next."""
    if after is None:
        return paginate_by_id(queryset, before=before, size=size, field=field)
    rows = list(queryset.filter(**{f"{field}__gt": after}).order_by(field)[: size + 1])
    more_newer = len(rows) > size
    rows = rows[:size][::-1]
    newest = getattr(rows[0], field) if rows else after
    page = CursorPage(items=rows, next_cursor=None, newest_cursor=newest)
    page.more_newer = more_newer  # type: ignore[attr-defined]
    return page


def count_newer(queryset, *, after: int, field: str = "id", limit: int = 40) -> int:
    """How many items are newer than `after`, counted up to `limit` (the pill says "40+")."""
    return len(
        queryset.filter(**{f"{field}__gt": after}).values_list(field, flat=True)[: limit + 1]
    )


def hidden_author_ids(viewer) -> set[int]:
    """Blocked (both ways) and muted accounts: the social app's answer, preloaded once."""
    if viewer is None or not viewer.is_authenticated:
        return set()
    return set(social_hidden_author_ids(viewer))


def hydrate_posts(ids: list[int], viewer, *, hidden: set[int] | None = None) -> list:
    """Posts for these ids, in this order, ready for the card template (constant queries).

    `hidden` (blocked either way, muted) is passed on when the caller has already loaded it,
    which saves the posts app a query of its own.
    """
    if not ids:
        return []
    if hidden is None:
        hidden = hidden_author_ids(viewer)
    return list(posts_hydrated(ids, viewer, hidden=hidden))


@dataclass
class TimelinePage:
    items: list[Any]
    next_cursor: int | None
    newest_cursor: int | None
    more_newer: bool = False  # an `after` page that stopped at `size`: poll again
    catching_up: bool = False


def _page(cursor_page: CursorPage, items: list) -> TimelinePage:
    return TimelinePage(
        items=items,
        next_cursor=cursor_page.next_cursor,
        newest_cursor=cursor_page.newest_cursor,
        more_newer=getattr(cursor_page, "more_newer", False),
    )


def home_entries(viewer):
    """The viewer's materialised entries, with mutes and blocks applied at read time."""
    return _home_entries(viewer, hidden_author_ids(viewer))


def _home_entries(viewer, hidden: set[int]):
    entries = TimelineEntry.objects.filter(user_id=viewer.pk).only("id", "post_id")
    if hidden:
        entries = entries.exclude(author_id__in=hidden).exclude(origin_author_id__in=hidden)
    return entries


# The newest entries below a cursor, with their authors so hidden ones can be dropped here.
# One more than the largest page, so "is there more?" needs no second query.
_entries_below = PreparedQuery(
    lambda user_id, before: (
        TimelineEntry.objects.filter(user_id=user_id, post_id__lt=before)
        .order_by("-post_id")
        .values_list("post_id", "author_id", "origin_author_id")[: MAX_PAGE_SIZE + 1]
    ),
    "int",
    "int",
)


def _home_page_fast(viewer, hidden: set[int], *, before: int | None, size: int):
    """Older pages of the Following timeline in one prepared query; None when mutes and
    blocks hide so much of the next MAX_PAGE_SIZE + 1 entries that the page needs more."""
    rows = _entries_below(viewer.pk, NO_CURSOR if before is None else before)
    visible = [row[0] for row in rows if row[1] not in hidden and row[2] not in hidden]
    if len(visible) <= size and len(rows) == MAX_PAGE_SIZE + 1:
        return None
    return page_of_ids(visible, size)


@functools.lru_cache(maxsize=MAX_PAGE_SIZE)
def _home_statuses_query(size: int) -> StatusesQuery:
    """One compiled query per page size: the entries subquery's LIMIT is part of its SQL."""
    return StatusesQuery(
        lambda user_id, before: (
            TimelineEntry.objects.filter(user_id=user_id, post_id__lt=before)
            .order_by("-post_id")
            .values("post_id")[: size + 1]
        ),
        "int",
        "int",
    )


def home_statuses_page(*, viewer, before: int | None = None, size: int = 20) -> TimelinePage | None:
    """An older page of the Following timeline as JSON statuses, entries and facts in one
    round trip. None for a reader who blocks, mutes or is blocked by anyone: their page must
    skip hidden entries before it is cut to size, which the two-step `home_timeline_page`
    does. Most readers hide no one (their user row says so), and their page costs one query.
    """
    return _home_statuses(viewer, hidden_author_ids(viewer), before=before, size=size)


def _home_statuses(viewer, hidden: set[int], *, before: int | None, size: int):
    if hidden or not 1 <= size <= MAX_PAGE_SIZE:
        return None
    statuses, picked = _home_statuses_query(size)(
        viewer.pk, NO_CURSOR if before is None else before, reader=viewer, hidden=hidden, size=size
    )
    return _page(page_of_ids(picked, size), statuses)


def home_timeline_page(
    *,
    viewer,
    before: int | None = None,
    after: int | None = None,
    size: int = 20,
    hydrate=None,
    statuses_in_one_query: bool = False,
) -> TimelinePage:
    """The Following timeline: own posts and the posts and reposts of followed accounts.

    `hydrate(ids, viewer, hidden=...)` turns the page's post ids into items (default: posts
    ready for the card template; the views pass kiln.posts.cards for rendered cards).
    `statuses_in_one_query` (JSON, whose `hydrate` gives statuses): an older page is read as
    `home_statuses_page` reads it when the reader hides no one.
    """
    hidden = hidden_author_ids(viewer)
    if statuses_in_one_query and after is None:
        page = _home_statuses(viewer, hidden, before=before, size=size)
        if page is not None:
            return page
    hydrate = hydrate or hydrate_posts
    page = None
    if after is None and size <= MAX_PAGE_SIZE:
        page = _home_page_fast(viewer, hidden, before=before, size=size)
    if page is None:
        entries = _home_entries(viewer, hidden)
        cursor_page = page_by_id(entries, before=before, after=after, size=size, field="post_id")
        ids = [e.post_id for e in cursor_page.items]
        return _page(cursor_page, hydrate(ids, viewer, hidden=hidden))
    return _page(page, hydrate(page.items, viewer, hidden=hidden))


def rebuild_in_progress(*, user_id: int) -> bool:
    return TimelineRebuild.objects.filter(user_id=user_id, finished_at__isnull=True).exists()


def public_posts(viewer, hidden: set[int] | None = None):
    """Public, live, top-level original posts (Discover and tag pages), minus hidden authors."""
    posts = Post.objects.filter(
        visibility=Post.Visibility.PUBLIC,
        deleted_at__isnull=True,
        reblog__isnull=True,
        in_reply_to__isnull=True,
        in_reply_to_deleted_account=False,  # still a reply, though its parent is gone
        commented_project_id__isnull=True,
        author__is_limited=False,  # limited by moderation: followers only
    )
    if hidden is None:
        hidden = hidden_author_ids(viewer)
    if hidden:
        posts = posts.exclude(author_id__in=hidden)
    return posts.only("id")


def tag_posts(viewer, tag: str, hidden: set[int] | None = None):

    tagged = PostTag.objects.filter(tag=tag.casefold(), post=OuterRef("pk"))
    return public_posts(viewer, hidden).filter(Exists(tagged))


def tag_timeline_page(
    *,
    viewer,
    tag: str,
    before: int | None = None,
    after: int | None = None,
    size: int = 20,
    hydrate=None,
) -> TimelinePage:
    """Public posts with this hashtag, newest first (`hydrate`: see home_timeline_page)."""
    hidden = hidden_author_ids(viewer)
    page = page_by_id(tag_posts(viewer, tag, hidden), before=before, after=after, size=size)
    return _page(
        page, (hydrate or hydrate_posts)([p.pk for p in page.items], viewer, hidden=hidden)
    )


def discover_streams(
    viewer,
    *,
    field_slug: str | None = None,
    category: str | None = None,
    hidden: set[int] | None = None,
    images_only: bool = False,
):
    """(kind, queryset) pairs merged by Discover: public posts, published projects. With
    `images_only` (Discover's Work view), posts with images and no warning only."""
    streams: list[tuple[str, Any]] = []
    if hidden is None:
        hidden = hidden_author_ids(viewer)
    if not category:  # posts carry no category: a category filter shows projects only
        posts = public_posts(viewer, hidden)
        if field_slug:
            # Fields of work are a short JSON list on the profile; the quoted slug is exact.
            posts = posts.filter(author__profile__fields_of_work__icontains=f'"{field_slug}"')
        if images_only:
            # A wall of work shows no warned or mature image unasked; the Posts view does.
            with_image = PostAttachment.objects.filter(post=OuterRef("pk"))
            posts = posts.filter(Exists(with_image), content_warning="", is_mature=False)
        streams.append(("post", posts))
    projects = Project.objects.filter(
        state=Project.State.PUBLISHED, published_at__isnull=False, owner__is_limited=False
    ).only("id", "published_at")
    for kind, slug in ((ProjectTag.Kind.FIELD, field_slug), (ProjectTag.Kind.CATEGORY, category)):
        if slug:
            labelled = ProjectTag.objects.filter(project=OuterRef("pk"), kind=kind, slug=slug)
            projects = projects.filter(Exists(labelled))
    if hidden:
        projects = projects.exclude(owner_id__in=hidden)
    streams.append(("project", projects))
    return streams


def hydrate_image_posts(ids: list[int], viewer, *, hidden) -> list:
    """Posts as Discover's Work view tiles them: author, profile, images (four queries)."""
    from django.db.models import Prefetch

    attachments = PostAttachment.objects.select_related("asset").prefetch_related(
        "asset__renditions"
    )
    return list(
        Post.objects.filter(id__in=ids)
        .exclude(author_id__in=hidden or ())
        .select_related("author__profile")
        .prefetch_related(Prefetch("attachments", queryset=attachments))
    )


def hydrate_projects(ids: list[int]) -> dict[int, Any]:
    """Projects with owner, profile and cover (three queries, whatever the count)."""
    if not ids:
        return {}
    from django.db.models import Prefetch

    images = ProjectImage.objects.select_related("asset").prefetch_related("asset__renditions")
    projects = (
        Project.objects.filter(id__in=ids)
        .select_related("owner__profile")
        .prefetch_related(Prefetch("images", queryset=images))
    )
    found = {}
    for project in projects:
        project.cover_image = cover_image(project)
        found[project.pk] = project
    return found


# Projects are placed in Discover by when they were published, not created (a draft may sit
# for weeks). Their key lives in the same space as post ids: the publication time in ms,
# then the low 16 bits of the project id, so the two streams merge on one cursor.
_TIE_SLACK = 8  # extra rows fetched in case several projects share one millisecond


def project_key(project) -> int:
    return id_for_time(project.published_at.timestamp()) | (project.pk & 0xFFFF)


def _key_time(key: int) -> dt.datetime:
    return dt.datetime.fromtimestamp((key >> 16) / 1000, tz=dt.UTC)


def projects_page(queryset, *, before: int | None, after: int | None, size: int):
    """(keyed projects newest first, more older, more newer) by publication key."""
    if after is not None:
        rows = queryset.filter(published_at__gte=_key_time(after)).order_by("published_at", "id")
        keyed = sorted((project_key(p), p) for p in rows[: size + 1 + _TIE_SLACK])
        keyed = [(k, p) for k, p in keyed if k > after]
        return keyed[:size][::-1], False, len(keyed) > size
    rows = queryset.order_by("-published_at", "-id")
    if before is not None:
        rows = rows.filter(published_at__lt=_key_time(before) + dt.timedelta(milliseconds=1))
    keyed = sorted(((project_key(p), p) for p in rows[: size + 1 + _TIE_SLACK]), reverse=True)
    if before is not None:
        keyed = [(k, p) for k, p in keyed if k < before]
    return keyed[:size], len(keyed) > size, False


def count_newer_projects(queryset, *, after: int, limit: int = 40) -> int:
    rows = queryset.filter(published_at__gte=_key_time(after)).order_by("published_at", "id")
    return sum(1 for p in rows[: limit + 1 + _TIE_SLACK] if project_key(p) > after)


def discover_page(
    *,
    viewer,
    field_slug: str | None = None,
    category: str | None = None,
    before: int | None = None,
    after: int | None = None,
    size: int = 20,
    hydrate=None,
    images_only: bool = False,
) -> TimelinePage:
    """Every public post and published project, merged newest first. No ranking.

    Both streams are paged on one time-ordered key (a post's id; a project's publication
    key), so merging the two pages (each one item longer than the page) and cutting at `size`
    loses and repeats nothing.
    """
    candidates: list[tuple[int, str, int]] = []  # (key, kind, pk)
    more = more_newer = False
    hidden = hidden_author_ids(viewer)
    streams = discover_streams(
        viewer, field_slug=field_slug, category=category, hidden=hidden, images_only=images_only
    )
    for kind, queryset in streams:
        if kind == "project":
            keyed, more_older, newer = projects_page(
                queryset.only("id", "published_at"), before=before, after=after, size=size
            )
            candidates.extend((key, kind, p.pk) for key, p in keyed)
            more, more_newer = more or more_older, more_newer or newer
            continue
        page = page_by_id(queryset, before=before, after=after, size=size)
        candidates.extend((row.pk, kind, row.pk) for row in page.items)
        more = more or page.next_cursor is not None
        more_newer = more_newer or getattr(page, "more_newer", False)
    if after is not None:
        # Newer items are taken oldest-first from just above the cursor, so nothing is skipped.
        candidates.sort()
        more_newer = more_newer or len(candidates) > size
        chosen = sorted(candidates[:size], reverse=True)
    else:
        candidates.sort(reverse=True)
        more = more or len(candidates) > size
        chosen = candidates[:size]

    post_ids = [pk for _, kind, pk in chosen if kind == "post"]
    hydrated = (hydrate or hydrate_posts)(post_ids, viewer, hidden=hidden)
    # Posts and cards carry `pk`; JSON statuses carry their id as a string.
    posts_by_id = {int(p["id"]) if isinstance(p, dict) else p.pk: p for p in hydrated}
    projects_by_id = hydrate_projects([pk for _, kind, pk in chosen if kind == "project"])
    items = []
    for key, kind, pk in chosen:
        obj = posts_by_id.get(pk) if kind == "post" else projects_by_id.get(pk)
        if obj is not None:
            items.append({"kind": kind, "object": obj, "id": pk, "key": key})
    return TimelinePage(
        items=items,
        next_cursor=chosen[-1][0] if chosen and more and after is None else None,
        newest_cursor=chosen[0][0] if chosen else after,
        more_newer=more_newer,
    )
