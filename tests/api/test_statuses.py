"""Statuses through the API: create, show, edit, delete, context, interactions; who may do
what (another user's token, a blocked user, followers-only posts); every response checked
against Mastodon's schema by the api_client fixture."""

import pytest

from kiln.posts.models import Post
from kiln.posts.services import post_create
from kiln.social.services import block_create, follow_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana_api(api_client, ana, make_token):
    return api_client(make_token(ana))


@pytest.fixture
def ben_api(api_client, ben, make_token):
    return api_client(make_token(ben))


def test_mentions_and_tags_each_in_their_place(ana_api, ana, ben):
    """Read in one query together: a mention never shows as a tag, nor a tag as a mention."""
    created = ana_api.post("/api/v1/statuses", {"status": "For @ben: #ceramics #glaze"}).json()
    plain = ana_api.post("/api/v1/statuses", {"status": "Nothing to link"}).json()
    shown = ana_api.get(f"/api/v1/statuses/{created['id']}").json()
    assert [m["username"] for m in shown["mentions"]] == ["ben"]
    assert shown["mentions"][0]["id"] == str(ben.pk)
    assert sorted(t["name"] for t in shown["tags"]) == ["ceramics", "glaze"]
    assert shown["tags"][0]["url"].endswith(f"/tags/{shown['tags'][0]['name']}")
    bare = ana_api.get(f"/api/v1/statuses/{plain['id']}").json()
    assert bare["mentions"] == [] and bare["tags"] == []


def test_create_show_and_delete(ana_api, ana):
    created = ana_api.post(
        "/api/v1/statuses",
        {"status": "Glaze test #ceramics", "spoiler_text": "kiln talk", "sensitive": True},
    )
    assert created.status_code == 200, created.content
    status = created.json()
    assert status["content"] and status["spoiler_text"] == "kiln talk" and status["sensitive"]
    assert status["account"]["username"] == "ana" and status["visibility"] == "public"
    assert status["tags"][0]["name"] == "ceramics"
    assert ana_api.get(f"/api/v1/statuses/{status['id']}").json()["id"] == status["id"]
    source = ana_api.get(f"/api/v1/statuses/{status['id']}/source").json()
    assert source["text"] == "Glaze test #ceramics"
    deleted = ana_api.delete(f"/api/v1/statuses/{status['id']}")
    assert deleted.status_code == 200 and deleted.json()["text"] == "Glaze test #ceramics"
    assert ana_api.get(f"/api/v1/statuses/{status['id']}").status_code == 404


def test_form_encoded_create_and_private_visibility(ana_api):
    created = ana_api.post(
        "/api/v1/statuses",
        "status=hello&visibility=private",
        content_type="application/x-www-form-urlencoded",
    )
    assert created.status_code == 200 and created.json()["visibility"] == "private"
    assert Post.objects.get().visibility == "followers"


def test_direct_visibility_is_refused_clearly(ana_api):
    refused = ana_api.post("/api/v1/statuses", {"status": "psst", "visibility": "direct"})
    assert refused.status_code == 422 and "direct" in refused.json()["error"]
    assert not Post.objects.exists()


def test_idempotency_key_posts_once(ana_api):
    first = ana_api.post("/api/v1/statuses", {"status": "once"}, HTTP_IDEMPOTENCY_KEY="k-1")
    again = ana_api.post("/api/v1/statuses", {"status": "once"}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.json()["id"] == again.json()["id"] and Post.objects.count() == 1
    other = ana_api.post("/api/v1/statuses", {"status": "once"}, HTTP_IDEMPOTENCY_KEY="k-2")
    assert other.json()["id"] != first.json()["id"]


@pytest.mark.parametrize(
    "body",
    [
        {"status": ""},
        {"status": "x" * 2001},
        {"status": "hi", "visibility": "everyone"},
        {"status": "hi", "in_reply_to_id": "-5"},
        {"status": "hi", "in_reply_to_id": "99999999999999999999999"},
        {"status": "hi", "in_reply_to_id": "abc"},
        {"status": "hi", "media_ids": ["12345"]},
        {"status": ["a", "b"]},
        {"status": {"nested": 1}},
        {"status": "hi", "sensitive": "maybe"},
    ],
)
def test_bad_status_input_is_4xx_and_writes_nothing(ana_api, body):
    response = ana_api.post("/api/v1/statuses", body)
    assert 400 <= response.status_code < 500, response.content
    assert not Post.objects.exists()


def test_malformed_json_is_400(ana_api):
    response = ana_api.post("/api/v1/statuses", "{oops", content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]


def test_reply_edit_history_and_context(ana_api, ben_api, ana):
    root = ana_api.post("/api/v1/statuses", {"status": "root"}).json()
    reply = ben_api.post(
        "/api/v1/statuses", {"status": "nice", "in_reply_to_id": root["id"]}
    ).json()
    assert reply["in_reply_to_id"] == root["id"]
    assert reply["in_reply_to_account_id"] == str(ana.pk)
    context = ana_api.get(f"/api/v1/statuses/{root['id']}/context").json()
    assert [s["id"] for s in context["descendants"]] == [reply["id"]]
    assert (
        ana_api.get(f"/api/v1/statuses/{reply['id']}/context").json()["ancestors"][0]["id"]
        == root["id"]
    )
    edited = ana_api.put(f"/api/v1/statuses/{root['id']}", {"status": "root, edited"})
    assert edited.status_code == 200 and edited.json()["edited_at"]
    history = ana_api.get(f"/api/v1/statuses/{root['id']}/history").json()
    assert [v["content"] for v in history][0] == "root"
    assert len(history) == 2


def test_favourite_reblog_bookmark_round_trip(ana_api, ben_api, ben):
    status = ana_api.post("/api/v1/statuses", {"status": "boost me"}).json()
    sid = status["id"]
    assert ben_api.post(f"/api/v1/statuses/{sid}/favourite").json()["favourited"] is True
    assert ben_api.post(f"/api/v1/statuses/{sid}/favourite").json()["favourites_count"] == 1
    by = ana_api.get(f"/api/v1/statuses/{sid}/favourited_by").json()
    assert [a["username"] for a in by] == ["ben"]
    reblog = ben_api.post(f"/api/v1/statuses/{sid}/reblog").json()
    assert reblog["reblog"]["id"] == sid and reblog["reblog"]["reblogged"] is True
    assert [a["id"] for a in ana_api.get(f"/api/v1/statuses/{sid}/reblogged_by").json()] == [
        str(ben.pk)
    ]
    assert ben_api.post(f"/api/v1/statuses/{sid}/unreblog").json()["reblogs_count"] == 0
    assert ben_api.post(f"/api/v1/statuses/{sid}/bookmark").json()["bookmarked"] is True
    assert ben_api.post(f"/api/v1/statuses/{sid}/unbookmark").json()["bookmarked"] is False
    assert ben_api.post(f"/api/v1/statuses/{sid}/unfavourite").json()["favourited"] is False


def test_another_users_token_cannot_edit_or_delete(ana_api, ben_api):
    status = ana_api.post("/api/v1/statuses", {"status": "mine"}).json()
    assert ben_api.put(f"/api/v1/statuses/{status['id']}", {"status": "yours"}).status_code == 404
    assert ben_api.delete(f"/api/v1/statuses/{status['id']}").status_code == 404
    post = Post.objects.get()
    assert post.text == "mine" and post.deleted_at is None


def test_followers_only_post_is_hidden_from_non_followers(
    ana, ben, make_user, api_client, make_token
):
    cyd = make_user("cyd")
    post = post_create(author=ana, text="for followers", visibility="followers")
    follow_create(follower=ben, followed=ana)
    ben_api, cyd_api, anon = api_client(make_token(ben)), api_client(make_token(cyd)), api_client()
    assert ben_api.get(f"/api/v1/statuses/{post.pk}").status_code == 200
    for reader in (cyd_api, anon):
        assert reader.get(f"/api/v1/statuses/{post.pk}").status_code == 404
        assert reader.get(f"/api/v1/statuses/{post.pk}/context").status_code == 404
        assert reader.get(f"/api/v1/accounts/{ana.pk}/statuses").json() == []
    assert cyd_api.post(f"/api/v1/statuses/{post.pk}/favourite").status_code == 404
    refused = cyd_api.post("/api/v1/statuses", {"status": "hi", "in_reply_to_id": str(post.pk)})
    assert refused.status_code == 404 and Post.objects.count() == 1


def test_blocked_user_sees_what_the_web_shows_them(ana, ben, api_client, make_token):
    post = post_create(author=ana, text="public, but not for ben")
    block_create(blocker=ana, blocked=ben)
    ben_api = api_client(make_token(ben))
    assert ben_api.get(f"/api/v1/statuses/{post.pk}").status_code == 404
    assert ben_api.post(f"/api/v1/statuses/{post.pk}/favourite").status_code == 404
    assert ben_api.get(f"/api/v1/accounts/{ana.pk}/statuses").json() == []
    assert ben_api.get("/api/v1/timelines/public").json() == []
    follow = ben_api.post(f"/api/v1/accounts/{ana.pk}/follow")
    assert follow.status_code == 403


def test_read_only_token_cannot_post(api_client, ana, make_token):
    reader = api_client(make_token(ana, "read"))
    assert reader.post("/api/v1/statuses", {"status": "nope"}).status_code == 403
    assert not Post.objects.exists()


def test_staff_token_gets_no_more_than_any_user(ana, make_user, api_client, make_token):
    """Moderation is the staff pages' job: through the API a staff account is a user."""
    staff = make_user("mod")
    staff.is_staff = staff.is_superuser = True
    staff.save(update_fields=["is_staff", "is_superuser"])
    post = post_create(author=ana, text="mine", visibility="followers")
    staff_api = api_client(make_token(staff))
    assert staff_api.get(f"/api/v1/statuses/{post.pk}").status_code == 404
    assert staff_api.delete(f"/api/v1/statuses/{post.pk}").status_code == 404
    assert Post.objects.get().deleted_at is None


def test_write_over_the_rate_limit_changes_nothing(ana_api, settings):
    settings.KILN_API_RATE_TOKEN = 1
    assert ana_api.post("/api/v1/statuses", {"status": "one"}).status_code == 200
    over = ana_api.post("/api/v1/statuses", {"status": "two"})
    assert over.status_code == 429 and over["X-RateLimit-Remaining"] == "0"
    assert list(Post.objects.values_list("text", flat=True)) == ["one"]


def test_scheduled_statuses_are_refused_clearly(api_client, make_user, make_token):
    ana = make_user("ana")
    client = api_client(make_token(ana))
    refused = client.post(
        "/api/v1/statuses", {"status": "Later", "scheduled_at": "2030-01-01T10:00:00Z"}
    )
    assert refused.status_code == 422 and "schedule" in refused.json()["error"]
    assert not Post.objects.filter(author=ana).exists()
    assert client.get("/api/v1/scheduled_statuses").json() == []
    assert api_client().get("/api/v1/scheduled_statuses").status_code == 401
