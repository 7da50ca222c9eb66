"""The JSON Following page in one round trip (`selectors.home_statuses_page`), against the
two-step page it stands in for."""

import pytest

from kiln.posts.cards import post_statuses
from kiln.site.auth_backends import fetch_user
from kiln.timelines import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def feed(active_user, follow, publish):
    """ana follows bea and cy: bea's posts and cy's repost of one in ana's timeline."""
    ana, bea, cy = active_user("ana"), active_user("bea"), active_user("cy")
    follow(ana, bea)
    follow(ana, cy)
    posts = [publish(bea, f"post {i}") for i in range(12)]
    posts.append(publish(cy, "", reblog=posts[3]))
    return fetch_user(ana.pk), bea, cy, posts


def _two_step(viewer, **kwargs):
    return selectors.home_timeline_page(viewer=viewer, hydrate=post_statuses, **kwargs)


def _same(one, other):
    assert one.items == other.items
    assert (one.next_cursor, one.newest_cursor) == (other.next_cursor, other.newest_cursor)


@pytest.mark.parametrize("size", [1, 5, 12, 13, 40])
def test_pages_match_the_two_step_page_in_one_query(feed, size, django_assert_num_queries):
    ana, *_ = feed
    cursor, seen = None, []
    while True:
        with django_assert_num_queries(1):
            page = selectors.home_statuses_page(viewer=ana, before=cursor, size=size)
        _same(page, _two_step(ana, before=cursor, size=size))
        seen += [item["id"] for item in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [str(p.pk) for p in reversed(feed[3])]


def test_reader_state_and_reposts_are_shown(feed, client):
    from kiln.posts.models import PostLike

    ana, bea, cy, posts = feed
    PostLike.objects.create(user=ana, post=posts[3])
    page = selectors.home_statuses_page(viewer=fetch_user(ana.pk), size=5)
    repost = page.items[0]
    assert repost["id"] == str(posts[-1].pk)
    assert repost["account"]["username"] == "cy"
    assert repost["reblog"]["id"] == str(posts[3].pk)
    assert repost["reblog"]["favourited"] is True
    assert page.items[1]["favourited"] is False
    client.force_login(ana)
    assert client.get("/?format=json&limit=5").json()["items"] == page.items


def test_deleted_posts_are_left_out_and_paging_goes_on(feed):
    from kiln.posts.models import Post

    ana, _, _, posts = feed
    Post.objects.filter(pk=posts[-2].pk).update(deleted_at=posts[-2].created_at)
    page = selectors.home_statuses_page(viewer=ana, size=3)
    _same(page, _two_step(ana, size=3))
    assert str(posts[-2].pk) not in [item["id"] for item in page.items]
    assert page.next_cursor is not None


def test_readers_who_hide_someone_take_the_two_step_page(feed, client):
    from kiln.social.models import Mute

    ana, bea, _, posts = feed
    Mute.objects.create(muter=ana, muted=bea)
    assert selectors.home_statuses_page(viewer=fetch_user(ana.pk), size=5) is None
    client.force_login(ana)
    items = client.get("/?format=json&limit=5").json()["items"]
    # bea's posts and cy's repost of one are all hidden.
    assert items == []


def test_page_sizes_out_of_range_take_the_two_step_page(feed):
    ana, *_ = feed
    assert selectors.home_statuses_page(viewer=ana, size=0) is None
    assert selectors.home_statuses_page(viewer=ana, size=41) is None


def test_a_reader_who_hides_someone_has_their_hidden_authors_read_once(feed, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kiln.social.models import Mute

    ana, bea, _, _ = feed
    Mute.objects.create(muter=ana, muted=bea)
    client.force_login(ana)
    client.get("/?format=json&limit=5")  # first read records activity
    with CaptureQueriesContext(connection) as ctx:
        client.get("/?format=json&limit=5")
    assert sum("social_mute" in q["sql"] for q in ctx.captured_queries) == 2  # flag + list
