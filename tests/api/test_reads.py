"""Instance, timelines (with Link pagination), accounts, relationships, notifications and
search; each response checked against Mastodon's schema by the api_client fixture."""

import pytest

from kiln.notifications.models import Notification
from kiln.posts.services import post_create, post_like
from kiln.social.services import follow_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana_api(api_client, ana, make_token):
    return api_client(make_token(ana))


@pytest.fixture
def ben_api(api_client, ben, make_token):
    return api_client(make_token(ben))


def test_instance_documents(api_client):
    anon = api_client()
    v2 = anon.get("/api/v2/instance").json()
    assert v2["version"].startswith("4.") and "Kiln" in v2["version"]
    assert v2["api_versions"]["mastodon"] >= 1
    assert v2["configuration"]["statuses"]["max_characters"] == 2000
    assert v2["configuration"]["statuses"]["max_media_attachments"] == 10
    v1 = anon.get("/api/v1/instance").json()
    assert v1["version"] == v2["version"]
    assert anon.get("/api/v1/custom_emojis").json() == []


def test_preferences_and_lists_need_a_token(api_client, ana_api):
    assert api_client().get("/api/v1/preferences").status_code == 401
    assert ana_api.get("/api/v1/preferences").json()["posting:default:visibility"] == "public"
    assert ana_api.get("/api/v1/lists").json() == []


def test_verify_and_update_credentials(ana_api, ana):
    status = ana_api.post("/api/v1/statuses", {"status": "before"}).json()  # caches her account
    me = ana_api.get("/api/v1/accounts/verify_credentials").json()
    assert me["avatar"] and me["header"] and me["avatar_static"] and me["source"]["note"] == ""
    updated = ana_api.patch(
        "/api/v1/accounts/update_credentials",
        {
            "display_name": "Ana Glaze",
            "note": "Potter",
            "fields_attributes": [{"name": "Site", "value": "https://ana.example"}],
        },
    )
    assert updated.status_code == 200, updated.content
    assert updated.json()["display_name"] == "Ana Glaze"
    shown = ana_api.get(f"/api/v1/statuses/{status['id']}").json()
    assert shown["account"]["display_name"] == "Ana Glaze"  # not the cached entity
    assert updated.json()["source"]["fields"][0]["value"] == "https://ana.example"
    bad = ana_api.patch(
        "/api/v1/accounts/update_credentials",
        {"fields_attributes": [{"name": "x", "value": "not a link"}], "note": "changed"},
    )
    assert bad.status_code == 422
    ana.profile.refresh_from_db()
    assert ana.profile.bio == "Potter"  # the refused update changed nothing


def test_update_credentials_avatar_multipart(ana_api, ana, shared_dir):
    with open(shared_dir / "samples" / "art" / "the_scream.jpg", "rb") as f:
        response = ana_api.call(
            "patch",
            "/api/v1/accounts/update_credentials",
            _multipart({"note": "new"}, {"avatar": ("a.jpg", f.read(), "image/jpeg")}),
            content_type="multipart/form-data; boundary=BoUnDaRy",
        )
    assert response.status_code == 200, response.content
    assert "/media/avatars/" in response.json()["avatar"]


def _multipart(fields: dict, files: dict) -> bytes:
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--BoUnDaRy\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, data, ctype) in files.items():
        head = (
            f'--BoUnDaRy\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {ctype}\r\n\r\n'
        )
        parts.append(head.encode() + data + b"\r\n")
    return b"".join(parts) + b"--BoUnDaRy--\r\n"


def test_home_timeline_pages_with_link_header(
    ana, ben, ana_api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # fan-out runs on commit
        follow_create(follower=ana, followed=ben)
        posts = [post_create(author=ben, text=f"post {i}") for i in range(5)]
    first = ana_api.get("/api/v1/timelines/home", {"limit": 2})
    assert [s["id"] for s in first.json()] == [str(posts[4].pk), str(posts[3].pk)]
    assert 'rel="next"' in first["Link"] and f"max_id={posts[3].pk}" in first["Link"]
    older = ana_api.get("/api/v1/timelines/home", {"limit": 2, "max_id": posts[3].pk}).json()
    assert [s["id"] for s in older] == [str(posts[2].pk), str(posts[1].pk)]
    newer = ana_api.get("/api/v1/timelines/home", {"limit": 2, "min_id": posts[1].pk}).json()
    assert [s["id"] for s in newer] == [str(posts[3].pk), str(posts[2].pk)]
    since = ana_api.get("/api/v1/timelines/home", {"since_id": posts[3].pk}).json()
    assert [s["id"] for s in since] == [str(posts[4].pk)]


def test_home_timeline_queries_stay_flat(
    ana, ben, make_user, ana_api, django_capture_on_commit_callbacks
):
    """A page of many authors costs the same queries as a page of one: authors' accounts
    are read in one query, and a reader who blocks and mutes no one pays no block query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kiln.social.services import block_create

    def page_queries() -> list[str]:
        from django.core.cache import cache

        cache.clear()  # every author's account uncached, as on a cold worker
        with CaptureQueriesContext(connection) as queries:
            assert ana_api.get("/api/v1/timelines/home").status_code == 200
        return [q["sql"] for q in queries.captured_queries]

    with django_capture_on_commit_callbacks(execute=True):
        follow_create(follower=ana, followed=ben)
        post_create(author=ben, text="one author")
    page_queries()  # the first read of the day also records that the reader is active
    one = page_queries()
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(6):
            author = make_user(f"painter{i}")
            follow_create(follower=ana, followed=author)
            post_create(author=author, text=f"from painter {i}")
    many = page_queries()
    assert len(many) == len(one)

    def reading_mutes(queries: list[str]) -> int:
        return sum("social_mute" in sql for sql in queries)

    assert reading_mutes(many) == 1  # the reader's own row, with its "mutes anyone" flag

    block_create(blocker=ana, blocked=make_user("troll"))
    blocking = page_queries()  # now the page must ask who is hidden
    assert reading_mutes(blocking) == 2


@pytest.mark.parametrize(
    "query",
    [
        {"limit": 10**30},
        {"limit": -5},
        {"max_id": -1},
        {"max_id": "abc"},
        {"since_id": 2**64},
        {"limit": "lots"},
    ],
)
def test_bad_pagination_is_4xx_never_500(ana_api, query):
    response = ana_api.get("/api/v1/timelines/home", query)
    assert response.status_code in (200, 422), response.content
    if response.status_code == 200:
        assert len(response.json()) <= 40


def test_public_and_tag_timelines(ana, api_client):
    post_create(author=ana, text="hello #glaze")
    post_create(author=ana, text="followers only #glaze", visibility="followers")
    anon = api_client()
    assert [s["content"] for s in anon.get("/api/v1/timelines/public").json()] == [
        anon.get("/api/v1/timelines/tag/glaze").json()[0]["content"]
    ]
    assert anon.get("/api/v1/timelines/public", {"remote": "true"}).json() == []
    assert anon.get("/api/v1/timelines/tag/nothing").json() == []


def test_accounts_show_lookup_statuses_and_follows(ana, ben, ana_api, ben_api):
    post = post_create(author=ben, text="a post")
    reply = post_create(author=ben, text="a reply", in_reply_to=post)
    shown = ana_api.get(f"/api/v1/accounts/{ben.pk}").json()
    assert shown["username"] == "ben" and shown["statuses_count"] == 2
    assert ana_api.get("/api/v1/accounts/lookup", {"acct": "@ben"}).json()["id"] == str(ben.pk)
    assert ana_api.get("/api/v1/accounts/lookup", {"acct": "nobody"}).status_code == 404
    statuses = ana_api.get(f"/api/v1/accounts/{ben.pk}/statuses").json()
    assert [s["id"] for s in statuses] == [str(reply.pk), str(post.pk)]
    no_replies = ana_api.get(
        f"/api/v1/accounts/{ben.pk}/statuses", {"exclude_replies": "true"}
    ).json()
    assert [s["id"] for s in no_replies] == [str(post.pk)]
    assert ana_api.get(f"/api/v1/accounts/{ben.pk}/statuses", {"pinned": "true"}).json() == []
    followed = ana_api.post(f"/api/v1/accounts/{ben.pk}/follow").json()
    assert followed["following"] is True
    assert [a["id"] for a in ana_api.get(f"/api/v1/accounts/{ben.pk}/followers").json()] == [
        str(ana.pk)
    ]
    assert ben_api.get(f"/api/v1/accounts/{ana.pk}/following").json()[0]["id"] == str(ben.pk)
    rel = ben_api.get("/api/v1/accounts/relationships", {"id[]": [ana.pk]}).json()
    assert rel[0]["followed_by"] is True
    assert ana_api.post(f"/api/v1/accounts/{ben.pk}/mute").json()["muting"] is True
    assert ana_api.post(f"/api/v1/accounts/{ben.pk}/unmute").json()["muting"] is False
    assert ana_api.post(f"/api/v1/accounts/{ben.pk}/unfollow").json()["following"] is False
    assert ana_api.post(f"/api/v1/accounts/{ben.pk}/block").json()["blocking"] is True
    assert ana_api.post(f"/api/v1/accounts/{ben.pk}/unblock").json()["blocking"] is False


@pytest.mark.parametrize("bad_id", ["-1", "abc", "99999999999999999999", "0", "1e5"])
def test_bad_account_ids_are_404_json(ana_api, bad_id):
    response = ana_api.get(f"/api/v1/accounts/{bad_id}")
    assert response.status_code == 404 and response.json() == {"error": "Record not found"}


def test_notifications_filter_dismiss_clear(ana, ben, ana_api, ben_api):
    post = post_create(author=ana, text="notice me")
    post_like(user=ben, post=post)
    follow_create(follower=ben, followed=ana)
    listed = ana_api.get("/api/v1/notifications").json()
    assert sorted(n["type"] for n in listed) == ["favourite", "follow"]
    only = ana_api.get("/api/v1/notifications", {"types[]": ["follow", "made_up_type"]}).json()
    assert [n["type"] for n in only] == ["follow"]
    excluded = ana_api.get("/api/v1/notifications", {"exclude_types[]": ["follow"]}).json()
    assert [n["type"] for n in excluded] == ["favourite"]
    assert ana_api.get(f"/api/v1/notifications/{listed[0]['id']}").status_code == 200
    # Another user's token can neither read nor dismiss them.
    assert ben_api.get("/api/v1/notifications").json() == []
    assert ben_api.get(f"/api/v1/notifications/{listed[0]['id']}").status_code == 404
    ben_api.post(f"/api/v1/notifications/{listed[0]['id']}/dismiss")
    assert Notification.objects.filter(recipient=ana).count() == 2
    ana_api.post(f"/api/v1/notifications/{listed[0]['id']}/dismiss")
    assert Notification.objects.filter(recipient=ana).count() == 1
    ana_api.post("/api/v1/notifications/clear")
    assert not Notification.objects.filter(recipient=ana).exists()


def test_search_accounts_and_hashtags(ana, ben, ana_api):
    post_create(author=ana, text="#glazing day")
    found = ana_api.get("/api/v2/search", {"q": "be"}).json()
    assert [a["username"] for a in found["accounts"]] == ["ben"]
    tags = ana_api.get("/api/v2/search", {"q": "#glaz", "type": "hashtags"}).json()
    assert [t["name"] for t in tags["hashtags"]] == ["glazing"] and tags["accounts"] == []
    assert ana_api.get("/api/v2/search", {"q": ""}).json()["accounts"] == []


def test_search_statuses_uses_kilns_search_and_its_visibility(ana, ben, ana_api, client):
    from kiln.posts.models import Post

    public = post_create(author=ben, text="Glazing the watercolour harbour")
    post_create(author=ben, text="watercolour for followers", visibility=Post.Visibility.FOLLOWERS)
    found = ana_api.get("/api/v2/search", {"q": "watercolour", "type": "statuses"}).json()
    assert [s["id"] for s in found["statuses"]] == [str(public.pk)]  # ana doesn't follow ben
    anonymous = client.get("/api/v2/search", {"q": "watercolour", "type": "statuses"}).json()
    assert [s["id"] for s in anonymous["statuses"]] == [str(public.pk)]
    symbols = ana_api.get("/api/v2/search", {"q": '"*-', "type": "statuses"})
    assert symbols.status_code == 200 and symbols.json()["statuses"] == []


def test_ai_crawler_is_refused_on_the_api(client):
    response = client.get(
        "/api/v2/instance", HTTP_USER_AGENT="Mozilla/5.0 (compatible; GPTBot/1.0)"
    )
    assert response.status_code == 403


def test_rate_limit_headers_and_429(ana_api, settings):
    settings.KILN_API_RATE_TOKEN = 3
    responses = [ana_api.get("/api/v1/accounts/verify_credentials") for _ in range(4)]
    assert [r["X-RateLimit-Remaining"] for r in responses[:3]] == ["2", "1", "0"]
    assert responses[0]["X-RateLimit-Limit"] == "3" and responses[0]["X-RateLimit-Reset"]
    assert responses[3].status_code == 429 and responses[3]["Retry-After"]
