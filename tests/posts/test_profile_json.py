"""`/@name/posts?format=json`: the Posts tab as Mastodon-Status-shaped JSON."""

import pytest

from kiln.posts import cards, services
from kiln.social.services import block_create, follow_create

pytestmark = pytest.mark.django_db


def test_posts_tab_json_lists_what_the_reader_may_see(client, make_user):
    ana, ben = make_user("ana"), make_user("ben")
    public = services.post_create(author=ana, text="for everyone")
    private = services.post_create(author=ana, text="for followers", visibility="followers")
    data = client.get("/@ana/posts?format=json").json()
    assert [s["id"] for s in data["items"]] == [str(public.pk)]
    client.force_login(ben)
    follow_create(follower=ben, followed=ana)
    data = client.get("/@ANA/posts?format=json").json()
    assert [s["id"] for s in data["items"]] == [str(private.pk), str(public.pk)]
    assert data["items"][0]["visibility"] == "followers"
    assert data["items"][0]["favourited"] is False


def test_posts_tab_json_pages_by_cursor(client, make_user):
    ana = make_user("ana")
    posts = [services.post_create(author=ana, text=f"post {i}") for i in range(5)]
    first = client.get("/@ana/posts?format=json&size=3").json()
    assert [s["id"] for s in first["items"]] == [str(p.pk) for p in posts[::-1][:3]]
    rest = client.get(f"/@ana/posts?format=json&size=3&before={first['next']}").json()
    assert [s["id"] for s in rest["items"]] == [str(p.pk) for p in posts[::-1][3:]]
    assert rest["next"] is None


def test_posts_tab_json_refuses_a_blocked_reader_and_unknown_names(client, make_user):
    ana, ben = make_user("ana"), make_user("ben")
    services.post_create(author=ana, text="hello")
    block_create(blocker=ana, blocked=ben)
    client.force_login(ben)
    response = client.get("/@ana/posts?format=json")
    assert response.status_code == 403 and "hello" not in response.content.decode()
    assert client.get("/@nobody/posts?format=json").status_code == 404
    assert client.get("/@" + "x" * 300 + "/posts?format=json").status_code == 404


@pytest.fixture
def tab(make_user):
    """ana's tab: public and followers-only posts, and a repost of cy's work; ben follows ana."""
    ana, ben, cy = make_user("ana"), make_user("ben"), make_user("cy")
    follow_create(follower=ben, followed=ana)
    posts = []
    for i in range(6):
        visibility = "followers" if i % 3 == 0 else "public"
        posts.append(services.post_create(author=ana, text=f"post {i}", visibility=visibility))
    posts.append(services.post_reblog(user=ana, post=services.post_create(author=cy, text="cy's")))
    return ana, ben, cy, posts


@pytest.mark.parametrize("size", [1, 3, 7, 40])
@pytest.mark.parametrize("signed_in", [True, False])
def test_posts_tab_json_is_one_query_and_matches_the_two_step_page(
    tab, size, signed_in, django_assert_num_queries
):
    from django.contrib.auth.models import AnonymousUser

    from kiln.posts import selectors
    from kiln.posts.cards import post_statuses
    from kiln.site.auth_backends import fetch_user

    ana, ben, _, posts = tab
    reader = fetch_user(ben.pk) if signed_in else AnonymousUser()
    cursor, seen = None, []
    while True:
        with django_assert_num_queries(1):
            statuses, next_cursor = cards.profile_statuses_page(
                owner=ana, viewer=reader, hidden=set(), before=cursor, size=size
            )
        page = selectors.profile_post_ids(owner=ana, viewer=reader, before=cursor, size=size)
        assert statuses == post_statuses(page.items, reader, hidden=set())
        assert next_cursor == page.next_cursor
        seen += [status["id"] for status in statuses]
        if next_cursor is None:
            break
        cursor = next_cursor
    public = [p for p in posts if p.visibility == "public"]
    assert seen == [str(p.pk) for p in reversed(posts if signed_in else public)]


def test_posts_tab_json_leaves_out_reposts_of_blocked_work(client, tab):
    ana, ben, cy, posts = tab
    block_create(blocker=ben, blocked=cy)
    client.force_login(ben)
    items = client.get("/@ana/posts?format=json").json()["items"]
    assert [s["id"] for s in items] == [str(p.pk) for p in reversed(posts[:-1])]
