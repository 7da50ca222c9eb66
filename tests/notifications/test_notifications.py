import pytest

from kiln.notifications import selectors, services
from kiln.notifications.models import Notification
from kiln.posts import services as posts
from kiln.social.services import block_create, follow_create, mute_create

pytestmark = pytest.mark.django_db
Kind = Notification.Kind


@pytest.fixture
def ana(make_user):
    return make_user("ana", display_name="Ana")


@pytest.fixture
def fans(make_user):
    return [make_user(f"fan{i}", display_name=f"Fan {i}") for i in range(5)]


def test_each_kind_is_notified(ana, make_user):
    ben = make_user("ben")
    post = posts.post_create(author=ana, text="hello")
    posts.post_like(user=ben, post=post)
    posts.post_reblog(user=ben, post=post)
    posts.post_create(author=ben, text="quoting", quote=post)
    posts.post_create(author=ben, text="replying", in_reply_to=post)
    posts.post_create(author=ben, text="hi @ana")
    follow_create(follower=ben, followed=ana)
    kinds = sorted(Notification.objects.filter(recipient=ana).values_list("kind", flat=True))
    assert kinds == sorted(["like", "repost", "quote", "reply", "mention", "follow"])
    assert not Notification.objects.filter(recipient=ben).exists()


def test_likes_are_grouped_with_others(ana, fans, client):
    post = posts.post_create(author=ana, text="popular")
    for fan in fans:
        posts.post_like(user=fan, post=post)
    groups, _ = selectors.notification_page(user=ana)
    assert len(groups) == 1 and len(groups[0].actors) == 5
    client.force_login(ana)
    page = client.get("/notifications").content.decode()
    assert "Fan 4, Fan 3 and 3 others</strong> liked your post" in page


def test_unread_count_is_one_query_and_mark_all_read(ana, fans, client, django_assert_num_queries):
    post = posts.post_create(author=ana, text="x")
    for fan in fans[:3]:
        posts.post_like(user=fan, post=post)
    with django_assert_num_queries(1):
        assert selectors.unread_count(user=ana) == 3
    client.force_login(ana)
    assert '<span class="badge" aria-label="3 unread">3</span>' in client.get("/").content.decode()
    client.post("/notifications/read")
    assert selectors.unread_count(user=ana) == 0


def test_like_unlike_like_notifies_once(ana, fans):
    post = posts.post_create(author=ana, text="x")
    posts.post_like(user=fans[0], post=post)
    posts.post_unlike(user=fans[0], post=post)
    posts.post_like(user=fans[0], post=post)
    assert Notification.objects.filter(recipient=ana).count() == 1


def test_nothing_from_blocked_or_muted_users(ana, fans):
    post = posts.post_create(author=ana, text="x")
    posts.post_like(user=fans[0], post=post)
    mute_create(muter=ana, muted=fans[0])  # also clears what they caused
    assert not Notification.objects.exists()
    posts.post_create(author=fans[0], text="hey @ana")
    follow_create(follower=fans[0], followed=ana)
    assert not Notification.objects.exists()
    block_create(blocker=fans[1], blocked=ana)  # blocked either way: nothing
    posts.post_create(author=fans[2], text="ok @ana")
    assert list(Notification.objects.values_list("actor__username", flat=True)) == ["fan2"]


def test_per_type_preferences(ana, fans, client):
    client.force_login(ana)
    enabled = [k for k in Kind.values if k != "like"]
    assert client.post("/notifications/settings", {"kinds": enabled}).status_code == 302
    post = posts.post_create(author=ana, text="x")
    posts.post_like(user=fans[0], post=post)
    posts.post_create(author=fans[0], text="reply", in_reply_to=post)
    assert list(Notification.objects.values_list("kind", flat=True)) == ["reply"]
    response = client.post("/notifications/settings", {"kinds": ["bogus"]})
    assert response.status_code == 400
    assert "Unknown notification type" in response.content.decode()


def test_deleted_post_takes_its_notifications(ana, fans):
    post = posts.post_create(author=fans[0], text="hi @ana")
    assert Notification.objects.count() == 1
    posts.post_delete(post=post, actor=fans[0])
    assert not Notification.objects.exists()


def test_notification_page_constant_queries(ana, make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(n, prefix):
        for i in range(n):
            other = make_user(f"{prefix}{i}")
            post = posts.post_create(author=ana, text=f"{prefix}{i}")
            posts.post_like(user=other, post=post)
            posts.post_create(author=other, text="re", in_reply_to=post)

    add(2, "a")
    with CaptureQueriesContext(connection) as small:
        selectors.notification_page(user=ana)
    add(8, "b")
    with CaptureQueriesContext(connection) as large:
        groups, _ = selectors.notification_page(user=ana)
    assert len(groups) == 20
    assert len(small.captured_queries) == len(large.captured_queries)


def test_preferences_service_refuses_unknown_kind(ana):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.notification_preferences_update(user=ana, enabled_kinds={"nope"})
