"""Grouped notifications (/api/v2/notifications): favourites and reblogs of one status and a
day's follows as one group each, the group's own endpoints, the unread count; each response
checked against Mastodon's schema by the api_client fixture."""

import pytest

from kiln.notifications.models import Notification
from kiln.posts.services import post_create, post_like, post_reblog
from kiln.social.services import follow_create, mute_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana_api(api_client, ana, make_token):
    return api_client(make_token(ana, "read write"))


@pytest.fixture
def noticed(ana, make_user):
    """Ana's post, liked by three, reblogged by one, and two new followers; and a reply."""
    post = post_create(author=ana, text="A new bowl")
    fans = [make_user(name) for name in ("ben", "cat", "dan")]
    for fan in fans:
        post_like(user=fan, post=post)
    post_reblog(user=fans[0], post=post)
    for fan in fans[:2]:
        follow_create(follower=fan, followed=ana)
    reply = post_create(author=fans[2], text="@ana lovely", in_reply_to=post)
    return post, fans, reply


def test_groups_with_whole_group_counts(ana_api, noticed):
    post, (ben, cat, dan), reply = noticed
    data = ana_api.get("/api/v2/notifications").json()
    groups = {g["group_key"]: g for g in data["notification_groups"]}
    favourites = groups[f"favourite-{post.pk}"]
    assert favourites["type"] == "favourite" and favourites["notifications_count"] == 3
    assert favourites["sample_account_ids"] == [str(dan.pk), str(cat.pk), str(ben.pk)]
    assert favourites["status_id"] == str(post.pk)
    assert groups[f"reblog-{post.pk}"]["notifications_count"] == 1
    (follows,) = [g for key, g in groups.items() if key.startswith("follow-")]
    assert follows["notifications_count"] == 2
    (mention,) = [g for g in groups.values() if g["type"] == "mention"]
    assert mention["group_key"].startswith("ungrouped-") and mention["status_id"] == str(reply.pk)
    # Newest group first; every account and status named once.
    assert data["notification_groups"][0]["type"] == "mention"
    assert {a["username"] for a in data["accounts"]} == {"ben", "cat", "dan"}
    assert sorted(s["id"] for s in data["statuses"]) == sorted([str(post.pk), str(reply.pk)])
    # A page of five holds one of the three favourites; the count is still the whole group's.
    page = ana_api.get("/api/v2/notifications", {"limit": 5}).json()
    split = {g["group_key"]: g for g in page["notification_groups"]}
    assert split[f"favourite-{post.pk}"]["notifications_count"] == 3
    # grouped_types: favourites left ungrouped when the client asks.
    only_follows = ana_api.get("/api/v2/notifications", {"grouped_types[]": ["follow"]}).json()
    assert sum(g["type"] == "favourite" for g in only_follows["notification_groups"]) == 3


def test_group_endpoints_and_dismiss(ana_api, noticed, api_client, make_token):
    post, (ben, _, _), _ = noticed
    key = f"favourite-{post.pk}"
    one = ana_api.get(f"/api/v2/notifications/{key}").json()
    assert [g["notifications_count"] for g in one["notification_groups"]] == [3]
    accounts = ana_api.get(f"/api/v2/notifications/{key}/accounts").json()
    assert [a["username"] for a in accounts] == ["dan", "cat", "ben"]
    # Another user's token sees nothing of ana's groups, and can't dismiss them.
    ben_api = api_client(make_token(ben, "read write"))
    assert ben_api.get(f"/api/v2/notifications/{key}").status_code == 404
    ben_api.post(f"/api/v2/notifications/{key}/dismiss")
    assert Notification.objects.filter(post=post, kind="like").count() == 3
    ana_api.post(f"/api/v2/notifications/{key}/dismiss")
    assert not Notification.objects.filter(post=post, kind="like").exists()
    assert ana_api.get(f"/api/v2/notifications/{key}").status_code == 404


@pytest.mark.parametrize(
    "key",
    ["nonsense", "favourite-abc", "favourite--1", "follow-20261399", "ungrouped-9" * 30, "x-1"],
)
def test_malformed_group_keys_are_404(ana_api, key):
    response = ana_api.get(f"/api/v2/notifications/{key}")
    assert response.status_code == 404


def test_unread_count_and_mutes(ana, ana_api, noticed):
    post, (ben, cat, dan), _ = noticed
    # Groups: favourites, reblog, follows, the mention.
    assert ana_api.get("/api/v2/notifications/unread_count").json() == {"count": 4}
    assert ana_api.get("/api/v2/notifications/unread_count", {"limit": 2}).json() == {"count": 2}
    mute_create(muter=ana, muted=dan)
    data = ana_api.get("/api/v2/notifications").json()
    assert "dan" not in {a["username"] for a in data["accounts"]}
    groups = {g["group_key"]: g for g in data["notification_groups"]}
    assert groups[f"favourite-{post.pk}"]["notifications_count"] == 2


def test_scopes_and_tokens(api_client, ana, make_token, noticed):
    assert api_client().get("/api/v2/notifications").status_code == 401
    no_read = api_client(make_token(ana, "write"))
    assert no_read.get("/api/v2/notifications").status_code == 403
    assert no_read.get("/api/v2/notifications/unread_count").status_code == 403
