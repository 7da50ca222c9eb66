"""Reading timelines: cursor paging under concurrent inserts, mutes, query counts, pages."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kiln.posts.cards import clear_card_cache
from kiln.timelines import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def feed(active_user, follow, publish):
    """ana follows bea; bea has 45 posts in ana's timeline."""
    ana, bea = active_user("ana"), active_user("bea")
    follow(ana, bea)
    posts = [publish(bea, f"post {i}") for i in range(45)]
    return ana, bea, posts


def test_cursor_paging_has_no_gaps_or_duplicates_while_posts_arrive(feed, publish):
    ana, bea, posts = feed
    first = selectors.home_timeline_page(viewer=ana, size=10)
    assert [p.pk for p in first.items] == [p.pk for p in reversed(posts)][:10]
    newer = [publish(bea, f"new {i}") for i in range(3)]  # arrive between page loads
    seen = [p.pk for p in first.items]
    cursor = first.next_cursor
    while cursor:
        page = selectors.home_timeline_page(viewer=ana, before=cursor, size=10)
        seen += [p.pk for p in page.items]
        cursor = page.next_cursor
    assert seen == [p.pk for p in reversed(posts)]  # every old post once, in order
    fresh = selectors.home_timeline_page(viewer=ana, after=first.newest_cursor, size=10)
    assert [p.pk for p in fresh.items] == [p.pk for p in reversed(newer)]
    assert not fresh.more_newer


def test_newer_burst_larger_than_a_page_is_loaded_in_order(feed, publish):
    ana, bea, _ = feed
    top = selectors.home_timeline_page(viewer=ana, size=5).newest_cursor
    burst = [publish(bea, f"burst {i}") for i in range(7)]
    first = selectors.home_timeline_page(viewer=ana, after=top, size=5)
    # The five just above what the reader has, not the five newest: nothing is skipped.
    assert [p.pk for p in first.items] == [p.pk for p in reversed(burst[:5])]
    assert first.more_newer
    rest = selectors.home_timeline_page(viewer=ana, after=first.newest_cursor, size=5)
    assert [p.pk for p in rest.items] == [p.pk for p in reversed(burst[5:])]
    assert not rest.more_newer


def test_mutes_apply_at_read_time(active_user, follow, publish):
    from kiln.social.models import Mute
    from kiln.timelines.models import TimelineEntry

    ana, bea, cy = active_user("ana"), active_user("bea"), active_user("cy")
    follow(ana, bea)
    follow(ana, cy)
    b_post = publish(bea, "bea's")
    c_post = publish(cy, "cy's")
    c_repost_of_b = publish(cy, "", reblog=b_post)
    mute = Mute.objects.create(muter=ana, muted=bea)
    shown = [p.pk for p in selectors.home_timeline_page(viewer=ana).items]
    assert shown == [c_post.pk]  # bea's post and cy's repost of it are both hidden
    assert TimelineEntry.objects.filter(user=ana).count() == 3  # nothing was deleted
    mute.delete()
    shown = [p.pk for p in selectors.home_timeline_page(viewer=ana).items]
    assert shown == [c_repost_of_b.pk, c_post.pk, b_post.pk]


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


@pytest.mark.parametrize("size", [10, 40])
def test_home_page_query_count_is_constant(feed, client, size, django_assert_num_queries):
    ana, _, _ = feed
    client.force_login(ana)
    client.get("/")  # first read: records activity (a write), later reads do not
    # Worst case: no card cached, so every card is hydrated and rendered.
    clear_card_cache()
    baseline = _queries(lambda: client.get("/?limit=5"))
    clear_card_cache()
    with django_assert_num_queries(baseline):
        response = client.get(f"/?limit={size}")
    assert response.content.decode().count('class="timeline-item"') == size
    # Every card cached: fewer queries still, and the same for any page size.
    cached = _queries(lambda: client.get("/?limit=5"))
    assert cached < baseline
    with django_assert_num_queries(cached):
        again = client.get(f"/?limit={size}")
    assert _item_ids(again) == _item_ids(response)
    assert "KilnCsrfToken" not in again.content.decode()


def _item_ids(response) -> list[str]:
    return re.findall(r'class="timeline-item" id="item-(\d+)"', response.content.decode())


@pytest.mark.parametrize("size", [10, 40])
def test_home_selector_query_count(feed, size, django_assert_num_queries):
    ana, _, _ = feed
    baseline = _queries(lambda: selectors.home_timeline_page(viewer=ana, size=3))
    assert baseline <= 8
    with django_assert_num_queries(baseline):
        page = selectors.home_timeline_page(viewer=ana, size=size)
        assert len(page.items) == size


@pytest.mark.parametrize("size", [10, 40])
def test_discover_and_tag_query_counts(feed, size, django_assert_num_queries):
    from kiln.posts.models import PostTag

    ana, _, posts = feed
    for post in posts:
        PostTag.objects.create(post=post, tag="ink")
    base_discover = _queries(lambda: selectors.discover_page(viewer=ana, size=3))
    with django_assert_num_queries(base_discover):
        assert len(selectors.discover_page(viewer=ana, size=size).items) == size
    base_tag = _queries(lambda: selectors.tag_timeline_page(viewer=ana, tag="ink", size=3))
    with django_assert_num_queries(base_tag):
        assert len(selectors.tag_timeline_page(viewer=ana, tag="Ink", size=size).items) == size


@pytest.mark.parametrize("size", [10, 40])
def test_discover_page_with_projects_query_count(
    active_user, publish, client, size, django_assert_num_queries
):
    from kiln.portfolio.models import Project

    bea = active_user("bea")
    for i in range(25):
        publish(bea, f"post {i}")
        Project.objects.create(
            owner=bea, title=f"Project {i}", state="published", published_at=timezone.now()
        )
    client.force_login(active_user("ana"))
    client.get("/discover?limit=4")
    clear_card_cache()  # the worst case: every card hydrated and rendered
    baseline = _queries(lambda: client.get("/discover?limit=4"))
    clear_card_cache()
    with django_assert_num_queries(baseline):
        html = client.get(f"/discover?limit={size}").content.decode()
    assert html.count('class="timeline-item"') == size
    assert "Project 24" in html and "post 24" in html
