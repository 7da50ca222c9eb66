"""Fan-out on write: batches, idempotency, inactive followers, backfill, removal, trim."""

import datetime as dt

import pytest
from django.utils import timezone

from kiln.timelines import services
from kiln.timelines.models import TimelineEntry, TimelineRebuild
from tests.timelines.conftest import timeline_ids

pytestmark = pytest.mark.django_db


def test_post_reaches_author_at_once_and_active_followers(active_user, follow, publish):
    author, reader, other = active_user("bea"), active_user("ana"), active_user("cy")
    follow(reader, author)
    post = publish(author)
    assert timeline_ids(author) == [post.pk]
    assert timeline_ids(reader) == [post.pk]
    assert timeline_ids(other) == []  # does not follow


def test_author_sees_own_post_before_fanout_runs(active_user, follow, monkeypatch):
    """The author's entry is written at once; the followers' fan-out is only enqueued, with
    the post's transaction (kiln.core.tasks.enqueue_with_transaction)."""
    from kiln.posts.models import Post
    from kiln.timelines import tasks

    enqueued = []
    monkeypatch.setattr(
        services, "enqueue_with_transaction", lambda task, **kw: enqueued.append((task, kw))
    )
    author, reader = active_user("bea"), active_user("ana")
    follow(reader, author)
    post = Post.objects.create(author=author, text="now")
    services.timeline_post_created(post=post)
    assert timeline_ids(author) == [post.pk]
    assert timeline_ids(reader) == []
    assert enqueued == [(tasks.fanout_post, {"post_id": post.pk})]


def test_fanout_in_batches_covers_every_follower(active_user, follow, settings):
    from kiln.posts.models import Post

    settings.KILN_TIMELINE_FANOUT_BATCH = 2
    author = active_user("star")
    readers = [active_user(f"fan{i}") for i in range(5)]
    for reader in readers:
        follow(reader, author)
    post = Post.objects.create(author=author, text="big news")
    assert services.timeline_fanout_dispatch(post_id=post.pk) == 3  # 2 + 2 + 1
    for reader in readers:
        assert timeline_ids(reader) == [post.pk]


def test_batches_past_the_inline_budget_go_to_the_queue(active_user, follow, settings, monkeypatch):
    from kiln.posts.models import Post
    from kiln.timelines import tasks

    settings.KILN_TIMELINE_FANOUT_BATCH = 2
    settings.KILN_TIMELINE_FANOUT_INLINE_SECONDS = 0  # only the first batch runs inline
    author = active_user("star")
    readers = [active_user(f"fan{i}") for i in range(5)]
    for reader in readers:
        follow(reader, author)
    post = Post.objects.create(author=author, text="big news")
    enqueued = []
    real = tasks.fanout_post_batch

    class Spy:
        def enqueue(self, **kwargs):
            enqueued.append(kwargs)
            return real.enqueue(**kwargs)

    monkeypatch.setattr(tasks, "fanout_post_batch", Spy())
    services.timeline_fanout_dispatch(post_id=post.pk)
    assert len(enqueued) == 2
    assert all(timeline_ids(reader) == [post.pk] for reader in readers)


def test_fanout_is_idempotent(active_user, follow, publish):
    author, reader = active_user("bea"), active_user("ana")
    follow(reader, author)
    post = publish(author)
    services.timeline_fanout_dispatch(post_id=post.pk)
    services.timeline_fanout_batch(post_id=post.pk, first_id=reader.pk, last_id=reader.pk)
    services.timeline_post_created(post=post)
    assert TimelineEntry.objects.filter(post=post).count() == 2  # author + reader, once each


def test_repost_fans_out_with_original_author(active_user, follow, publish):
    artist, reposter, reader = active_user("art"), active_user("rep"), active_user("ana")
    follow(reader, reposter)
    original = publish(artist, "my painting")
    repost = publish(reposter, "", reblog=original)
    entry = TimelineEntry.objects.get(user=reader)
    assert (entry.post_id, entry.author_id, entry.origin_author_id) == (
        repost.pk,
        reposter.pk,
        artist.pk,
    )


def test_replies_to_others_stay_in_their_thread(active_user, follow, publish):
    bea, ana, cy = active_user("bea"), active_user("ana"), active_user("cy")
    follow(ana, bea)
    root = publish(cy, "a question")
    reply = publish(bea, "an answer", in_reply_to=root)
    self_reply = publish(bea, "1/2", in_reply_to=publish(bea, "thread"))
    assert reply.pk not in timeline_ids(ana)
    assert reply.pk in timeline_ids(bea)  # one's own posts are always in one's timeline
    assert self_reply.pk in timeline_ids(ana)


def test_inactive_followers_are_skipped(active_user, follow, publish, settings):
    settings.KILN_TIMELINE_INACTIVE_DAYS = 14
    author = active_user("bea")
    recent, away = active_user("ana", days_ago=13), active_user("cy", days_ago=15)
    follow(recent, author)
    follow(away, author)
    post = publish(author)
    assert timeline_ids(recent) == [post.pk]
    assert timeline_ids(away) == []


def test_returning_user_gets_rebuilt_timeline(
    active_user, follow, publish, client, django_capture_on_commit_callbacks
):
    author, away = active_user("bea"), active_user("cy", days_ago=30)
    follow(away, author)
    posts = [publish(author, f"post {i}") for i in range(3)]
    own = publish(away, "my own")
    assert timeline_ids(away) == [own.pk]

    client.force_login(away)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.get("/")
    assert "Catching up" in first.content.decode()  # the rebuild had not finished yet
    away.refresh_from_db()
    assert timezone.now() - away.last_active_at < dt.timedelta(minutes=1)
    assert timeline_ids(away) == [own.pk, *[p.pk for p in reversed(posts)]]
    assert TimelineRebuild.objects.get(user=away).finished_at is not None

    second = client.get("/")
    assert "Catching up" not in second.content.decode()
    assert f'id="item-{posts[0].pk}"' in second.content.decode()


def test_catching_up_poll_refreshes_when_done(active_user, client):
    user = active_user("cy")
    TimelineRebuild.objects.create(user=user, requested_at=timezone.now())
    client.force_login(user)
    polling = client.get("/?catching_up=1", HTTP_HX_REQUEST="true")
    assert "Catching up" in polling.content.decode()
    TimelineRebuild.objects.filter(user=user).update(finished_at=timezone.now())
    done = client.get("/?catching_up=1", HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"


def test_active_reader_updates_last_active_cheaply(active_user, client, settings):
    settings.KILN_TIMELINE_ACTIVE_THROTTLE = 300
    user = active_user("ana", days_ago=1)
    client.force_login(user)
    client.get("/")
    user.refresh_from_db()
    stamp = user.last_active_at
    assert timezone.now() - stamp < dt.timedelta(minutes=1)
    client.get("/")
    user.refresh_from_db()
    assert user.last_active_at == stamp  # throttled: no second write
    assert not TimelineRebuild.objects.filter(user=user).exists()  # not a returning user


def test_follow_backfills_recent_posts(
    active_user, publish, follow, settings, django_capture_on_commit_callbacks
):
    settings.KILN_TIMELINE_BACKFILL = 2
    author, reader = active_user("bea"), active_user("ana")
    posts = [publish(author, f"p{i}") for i in range(3)]
    follow(reader, author)
    with django_capture_on_commit_callbacks(execute=True):
        services.timeline_follow_created(follower=reader, followed=author)
    assert timeline_ids(reader) == [posts[2].pk, posts[1].pk]


def test_backfill_after_unfollow_writes_nothing(active_user, publish):
    author, reader = active_user("bea"), active_user("ana")
    publish(author)
    assert services.timeline_backfill(follower_id=reader.pk, followed_id=author.pk) == 0
    assert timeline_ids(reader) == []


def test_unfollow_removes_their_posts_and_reposts(active_user, follow, publish):
    bea, ana, cy = active_user("bea"), active_user("ana"), active_user("cy")
    follow(ana, bea)
    follow(ana, cy)
    own_post = publish(bea, "mine")
    cy_post = publish(cy, "cy's")
    repost = publish(bea, "", reblog=cy_post)
    assert set(timeline_ids(ana)) == {own_post.pk, cy_post.pk, repost.pk}
    services.timeline_follow_removed(follower=ana, followed=bea)
    assert timeline_ids(ana) == [cy_post.pk]  # cy's own post stays: ana still follows cy


def test_block_removes_both_directions(active_user, follow, publish):
    bea, ana = active_user("bea"), active_user("ana")
    follow(ana, bea)
    follow(bea, ana)
    b_post, a_post = publish(bea), publish(ana)
    # The social app calls this both ways on block.
    services.timeline_follow_removed(follower=ana, followed=bea)
    services.timeline_follow_removed(follower=bea, followed=ana)
    assert timeline_ids(ana) == [a_post.pk]
    assert timeline_ids(bea) == [b_post.pk]


def test_deleted_post_and_its_reposts_leave_every_timeline(active_user, follow, publish):
    bea, ana, cy = active_user("bea"), active_user("ana"), active_user("cy")
    follow(ana, bea)
    follow(ana, cy)
    post = publish(bea)
    publish(cy, "", reblog=post)
    post.deleted_at = timezone.now()
    post.save(update_fields=["deleted_at"])
    services.timeline_post_deleted(post=post)
    assert timeline_ids(ana) == []
    assert TimelineEntry.objects.count() == 0


def test_trim_keeps_the_newest_entries(active_user, follow, publish, settings):
    settings.KILN_TIMELINE_MAX_ENTRIES = 5
    settings.KILN_TIMELINE_TRIM_EVERY = 1  # every post schedules a trim
    author, reader = active_user("bea"), active_user("ana")
    follow(reader, author)
    posts = [publish(author, f"p{i}") for i in range(8)]
    assert timeline_ids(reader) == [p.pk for p in reversed(posts)][:5]


def test_trim_only_touches_users_over_the_cap(active_user, settings):
    from kiln.posts.models import Post

    settings.KILN_TIMELINE_MAX_ENTRIES = 3
    busy, quiet = active_user("busy"), active_user("quiet")
    posts = [Post.objects.create(author=busy, text=str(i)) for i in range(5)]
    for post in posts:
        TimelineEntry.objects.create(
            user=busy, post=post, author_id=busy.pk, origin_author_id=busy.pk
        )
    TimelineEntry.objects.create(
        user=quiet, post=posts[0], author_id=busy.pk, origin_author_id=busy.pk
    )
    assert services.timeline_trim(user_ids=[busy.pk, quiet.pk]) == 2
    assert timeline_ids(busy) == [p.pk for p in reversed(posts)][:3]
    assert timeline_ids(quiet) == [posts[0].pk]


def test_trim_reads_once_and_writes_nothing_when_no_timeline_is_over_the_cap(
    active_user, settings, django_assert_num_queries
):
    from kiln.posts.models import Post

    settings.KILN_TIMELINE_MAX_ENTRIES = 3
    readers = [active_user(f"reader{i}") for i in range(4)]
    posts = [Post.objects.create(author=readers[0], text=str(i)) for i in range(3)]
    for reader in readers:
        for post in posts:  # exactly at the cap
            TimelineEntry.objects.create(
                user=reader, post=post, author_id=post.author_id, origin_author_id=post.author_id
            )
    with django_assert_num_queries(1):
        assert services.timeline_trim(user_ids=[r.pk for r in readers]) == 0
    assert TimelineEntry.objects.count() == 12


def test_trim_cuts_many_timelines_in_several_short_transactions(active_user, settings, monkeypatch):
    from kiln.posts.models import Post

    settings.KILN_TIMELINE_MAX_ENTRIES = 2
    monkeypatch.setattr(services, "TRIM_USERS_PER_TRANSACTION", 2)
    readers = [active_user(f"reader{i}") for i in range(5)]
    posts = [Post.objects.create(author=readers[0], text=str(i)) for i in range(4)]
    for reader in readers:
        for post in posts:
            TimelineEntry.objects.create(
                user=reader, post=post, author_id=post.author_id, origin_author_id=post.author_id
            )
    assert services.timeline_trim(user_ids=[r.pk for r in readers]) == 10
    for reader in readers:
        assert timeline_ids(reader) == [posts[3].pk, posts[2].pk]
