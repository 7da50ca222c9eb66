"""`/@name/posts?format=json`: the Posts tab as Mastodon-Status-shaped JSON."""

import pytest

from kiln.posts import services
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
