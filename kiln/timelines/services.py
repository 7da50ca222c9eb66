"""Writes to the Following timeline: fan-out on write, backfill, removal, trim and rebuild.

Every entry point is idempotent (unique (user, post) + `ignore_conflicts`), so a retried or
duplicated task never shows a post twice. Work that touches many users runs in background
batches enqueued on commit; work that one reader is waiting for (the author's own post,
removals after an unfollow or block) runs inline and touches only indexed rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from kiln.core.tasks import enqueue_with_transaction
from kiln.posts.models import Post
from kiln.social.models import Follow
from kiln.timelines.models import TimelineEntry, TimelineRebuild


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def timeline_max_entries() -> int:
    return _setting("KILN_TIMELINE_MAX_ENTRIES", 800)


def fanout_batch_size() -> int:
    return _setting("KILN_TIMELINE_FANOUT_BATCH", 1000)


def inactive_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    days = _setting("KILN_TIMELINE_INACTIVE_DAYS", 14)
    return (now or timezone.now()) - dt.timedelta(days=days)


def _timeline_posts():
    """Posts that belong in Following timelines: live, not project comments, and not replies
    to somebody else (those live in their thread; a reply to oneself continues a thread)."""

    return Post.objects.filter(deleted_at__isnull=True, commented_project_id__isnull=True).filter(
        Q(in_reply_to__isnull=True, in_reply_to_deleted_account=False)
        | Q(in_reply_to__author_id=F("author_id"))
    )


def _origin_author_id(post) -> int:
    return post.reblog.author_id if post.reblog_id else post.author_id


def _reaches_followers(post) -> bool:
    if post.deleted_at is not None or getattr(post, "commented_project_id", None):
        return False
    return post.in_reply_to_id is None or post.in_reply_to.author_id == post.author_id


def _insert(*, post_id: int, author_id: int, origin_author_id: int, user_ids: Iterable[int]):
    rows = [
        TimelineEntry(
            user_id=uid, post_id=post_id, author_id=author_id, origin_author_id=origin_author_id
        )
        for uid in user_ids
    ]
    TimelineEntry.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(rows)


# --- Posts ---------------------------------------------------------------------------------


# No savepoint: the posts app calls this inside the new post's transaction, and a failure
# here rolls the post back with it.
@transaction.atomic(savepoint=False)
def timeline_post_created(*, post) -> None:
    """Called in the transaction of a new post or repost: the author sees it at once,
    followers soon."""
    if post.deleted_at is not None:
        return
    _insert(
        post_id=post.pk,
        author_id=post.author_id,
        origin_author_id=_origin_author_id(post),
        user_ids=[post.author_id],
    )
    if _reaches_followers(post):
        from kiln.timelines.tasks import fanout_post

        enqueue_with_transaction(fanout_post, post_id=post.pk)


def timeline_fanout_dispatch(*, post_id: int) -> int:
    """Write the post into its author's active followers' timelines, in id-range batches.

    Each batch is one INSERT ... SELECT (the database never ships follower rows to Python)
    and its own short transaction, so SQLite's single writer is never held for long. Batches
    run here until `KILN_TIMELINE_FANOUT_INLINE_SECONDS` is spent; any left are enqueued, one
    task per id range, so a very large account never holds one worker for long and several
    workers can share it. Returns the number of batches.
    """
    import time

    post = Post.objects.select_related("reblog", "in_reply_to").filter(pk=post_id).first()
    if post is None or not _reaches_followers(post):
        return 0
    follower_ids = list(
        Follow.objects.filter(
            followed_id=post.author_id, follower__last_active_at__gte=inactive_cutoff()
        )
        .order_by("follower_id")
        .values_list("follower_id", flat=True)
    )
    size = fanout_batch_size()
    ranges = [
        (follower_ids[i], follower_ids[min(i + size, len(follower_ids)) - 1])
        for i in range(0, len(follower_ids), size)
    ]
    budget = float(getattr(settings, "KILN_TIMELINE_FANOUT_INLINE_SECONDS", 1.0))
    started = time.monotonic()
    done = 0
    for first_id, last_id in ranges:
        if done and time.monotonic() - started > budget:
            break
        _fanout_range(post=post, first_id=first_id, last_id=last_id)
        done += 1
    if done < len(ranges):
        from kiln.timelines.tasks import fanout_post_batch

        for first_id, last_id in ranges[done:]:
            fanout_post_batch.enqueue(post_id=post_id, first_id=first_id, last_id=last_id)
    # Trimming needs a count per user, so it is sampled: every Nth post (by its id, which is
    # effectively random in its low bits) schedules a trim of the timelines it reached.
    every = max(1, _setting("KILN_TIMELINE_TRIM_EVERY", 20))
    if follower_ids and post.pk % every == 0:
        from kiln.timelines.tasks import trim_timelines

        for i in range(0, len(follower_ids), size):
            trim_timelines.enqueue(user_ids=follower_ids[i : i + size])
    return len(ranges)


def _fanout_range(*, post, first_id: int, last_id: int) -> int:

    entry_table = TimelineEntry._meta.db_table
    follow_table = Follow._meta.db_table
    user_table = get_user_model()._meta.db_table
    cutoff = connection.ops.adapt_datetimefield_value(inactive_cutoff())
    # ON CONFLICT DO NOTHING (SQLite 3.24+, PostgreSQL) makes a retried batch harmless.
    sql = (
        f"INSERT INTO {entry_table} (user_id, post_id, author_id, origin_author_id) "  # noqa: S608
        f"SELECT f.follower_id, %s, %s, %s FROM {follow_table} f "
        f"INNER JOIN {user_table} u ON u.id = f.follower_id "
        "WHERE f.followed_id = %s AND f.follower_id >= %s AND f.follower_id <= %s "
        "AND u.last_active_at >= %s ON CONFLICT DO NOTHING"
    )
    params = [
        post.pk,
        post.author_id,
        _origin_author_id(post),
        post.author_id,
        first_id,
        last_id,
        cutoff,
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def timeline_fanout_batch(*, post_id: int, first_id: int, last_id: int) -> int:
    """Insert the post into the timelines of the author's active followers in [first, last]."""
    post = Post.objects.select_related("reblog").filter(pk=post_id, deleted_at__isnull=True).first()
    if post is None:
        return 0
    return _fanout_range(post=post, first_id=first_id, last_id=last_id)


def timeline_post_deleted(*, post) -> int:
    """Remove a deleted post, and reposts of it, from every timeline (indexed on post)."""
    ids = [post.pk, *Post.objects.filter(reblog_id=post.pk).values_list("id", flat=True)]
    deleted, _ = TimelineEntry.objects.filter(post_id__in=ids).delete()
    return deleted


# --- Follows -------------------------------------------------------------------------------


def backfill_size() -> int:
    return _setting("KILN_TIMELINE_BACKFILL", 100)


@transaction.atomic
def timeline_follow_created(*, follower, followed) -> None:
    """Backfill the followed account's recent posts in the background (low queue)."""
    from kiln.timelines.tasks import backfill_follow

    transaction.on_commit(
        lambda: backfill_follow.enqueue(follower_id=follower.pk, followed_id=followed.pk)
    )


def timeline_backfill(*, follower_id: int, followed_id: int) -> int:

    if not Follow.objects.filter(follower_id=follower_id, followed_id=followed_id).exists():
        return 0  # unfollowed before the backfill ran
    posts = list(
        _timeline_posts()
        .filter(author_id=followed_id)
        .select_related("reblog")
        .order_by("-id")[: backfill_size()]
    )
    rows = [
        TimelineEntry(
            user_id=follower_id,
            post_id=p.pk,
            author_id=p.author_id,
            origin_author_id=_origin_author_id(p),
        )
        for p in posts
    ]
    TimelineEntry.objects.bulk_create(rows, ignore_conflicts=True)
    timeline_trim(user_ids=[follower_id])
    return len(rows)


def timeline_follow_removed(*, follower, followed) -> int:
    """Unfollow (and block, called both ways): drop the followed account's posts at once."""
    deleted, _ = TimelineEntry.objects.filter(user_id=follower.pk, author_id=followed.pk).delete()
    return deleted


# --- Trim and rebuild ----------------------------------------------------------------------


# Timelines cut per transaction: on SQLite a trim holds the write lock for a few ms at most.
TRIM_USERS_PER_TRANSACTION = 50


def timeline_trim(*, user_ids: Iterable[int]) -> int:
    """Keep each user's newest `KILN_TIMELINE_MAX_ENTRIES` entries; delete the rest.

    One read finds, for each user, the newest entry past the cap: an index probe of at most
    cap + 1 entries, which finds nothing for a timeline under the cap. Only timelines over it
    are then cut, each by one indexed range delete. (A row-number window over every entry of
    the users read each entry from the table: 0.3 s for 58 users on the benchmark's data,
    half of the worker's time under a burst of posts.)
    """
    user_ids = list(user_ids)
    if not user_ids:
        return 0
    cap = timeline_max_entries()
    # Not paging (which is by cursor everywhere): the (cap + 1)-th newest entry, read from
    # the (user, post) index.
    past_cap = (
        TimelineEntry.objects.filter(user_id=OuterRef("pk"))
        .order_by("-post_id")
        .values("post_id")[cap : cap + 1]
    )
    cutoffs = list(
        get_user_model()
        .objects.filter(pk__in=user_ids)
        .annotate(cutoff=Subquery(past_cap))
        .filter(cutoff__isnull=False)
        .values_list("pk", "cutoff")
    )
    deleted = 0
    for i in range(0, len(cutoffs), TRIM_USERS_PER_TRANSACTION):
        with transaction.atomic():
            for user_id, cutoff in cutoffs[i : i + TRIM_USERS_PER_TRANSACTION]:
                entries = TimelineEntry.objects.filter(user_id=user_id, post_id__lte=cutoff)
                deleted += entries.delete()[0]
    return deleted


def timeline_rebuild(*, user_id: int) -> int:
    """Rebuild a returning user's timeline from their own posts and those of everyone they
    follow (newest `KILN_TIMELINE_MAX_ENTRIES`); idempotent, so it may run twice."""

    cap = timeline_max_entries()
    followed = list(
        Follow.objects.filter(follower_id=user_id).values_list("followed_id", flat=True)
    )
    # One's own replies are in one's own timeline (added on creation), so no reply filter here.
    sources = [
        Post.objects.filter(
            author_id=user_id, deleted_at__isnull=True, commented_project_id__isnull=True
        )
    ]
    sources += [
        _timeline_posts().filter(author_id__in=followed[i : i + 500])
        for i in range(0, len(followed), 500)
    ]
    rows: list[TimelineEntry] = []
    for posts in sources:
        rows.extend(
            TimelineEntry(
                user_id=user_id,
                post_id=p.pk,
                author_id=p.author_id,
                origin_author_id=_origin_author_id(p),
            )
            for p in posts.select_related("reblog").order_by("-id")[:cap]
        )
    rows.sort(key=lambda row: row.post_id, reverse=True)
    TimelineEntry.objects.bulk_create(rows[:cap], ignore_conflicts=True, batch_size=1000)
    timeline_trim(user_ids=[user_id])
    TimelineRebuild.objects.filter(user_id=user_id).update(finished_at=timezone.now())
    return min(len(rows), cap)


def timeline_mark_active(*, user) -> bool:
    """Record that `user` read their timeline; returns True when a rebuild was started.

    The write is throttled (one UPDATE per `KILN_TIMELINE_ACTIVE_THROTTLE` seconds), so a
    steady reader costs no extra queries. A reader back after the inactivity window was
    skipped by fan-out, so their timeline is rebuilt in the background.
    """
    now = timezone.now()
    last = user.last_active_at
    throttle = dt.timedelta(seconds=_setting("KILN_TIMELINE_ACTIVE_THROTTLE", 300))
    if last is not None and now - last < throttle:
        return False
    returning = last is None or last < inactive_cutoff(now)
    get_user_model().objects.filter(pk=user.pk).update(last_active_at=now)
    user.last_active_at = now
    if returning:
        timeline_rebuild_request(user_id=user.pk)
    return returning


@transaction.atomic
def timeline_rebuild_request(*, user_id: int) -> None:
    from kiln.timelines.tasks import rebuild_timeline

    TimelineRebuild.objects.update_or_create(
        user_id=user_id, defaults={"requested_at": timezone.now(), "finished_at": None}
    )
    transaction.on_commit(lambda: rebuild_timeline.enqueue(user_id=user_id))
