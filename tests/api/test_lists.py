"""Favourites and bookmarks (each reader's own only), the empty start-up endpoints, and
Mastodon's JSON 404 for any other API path."""

import pytest

from kiln.posts.bookmarks import bookmark_post_add
from kiln.posts.services import post_create, post_like
from kiln.social.services import block_create

pytestmark = pytest.mark.django_db


def test_favourites_and_bookmarks_are_the_readers_own(ana, ben, api_client, make_token):
    post = post_create(author=ben, text="bowl")
    other = post_create(author=ben, text="vase")
    post_like(user=ana, post=post)
    bookmark_post_add(owner=ana, post_id=other.pk)
    ana_api, ben_api = api_client(make_token(ana)), api_client(make_token(ben))
    assert [s["id"] for s in ana_api.get("/api/v1/favourites").json()] == [str(post.pk)]
    assert [s["id"] for s in ana_api.get("/api/v1/bookmarks").json()] == [str(other.pk)]
    assert ben_api.get("/api/v1/favourites").json() == []
    assert ben_api.get("/api/v1/bookmarks").json() == []
    assert api_client().get("/api/v1/bookmarks").status_code == 401
    # Once Ben blocks Ana, his posts leave her lists, as they leave her web pages.
    block_create(blocker=ben, blocked=ana)
    assert ana_api.get("/api/v1/favourites").json() == []
    assert ana_api.get("/api/v1/bookmarks").json() == []


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/follow_requests",
        "/api/v1/announcements",
        "/api/v2/filters",
        "/api/v1/trends/tags",
        "/api/v2/suggestions",
        "/api/v1/followed_tags",
        "/api/v1/markers",
    ],
)
def test_start_up_endpoints_answer_empty(ana, api_client, make_token, path):
    response = api_client(make_token(ana)).get(path)
    assert response.status_code == 200 and not response.json()


def test_unknown_api_paths_are_json_404(api_client):
    for path in ("/api/v1/polls/1", "/api/v2/nothing/here", "/api/v1/statuses/1/pin/extra"):
        response = api_client().get(path, validate=False)
        assert response.status_code == 404 and response.json() == {"error": "Record not found"}
