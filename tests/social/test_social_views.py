import pytest

from kiln.posts import services as posts
from kiln.social.models import Block, Follow, Mute
from kiln.social.services import block_create, follow_create

pytestmark = pytest.mark.django_db


def test_follow_and_unfollow_buttons(client, ana, ben):
    client.force_login(ana)
    page = client.get("/@ben").content.decode()
    assert 'action="/@ben/follow"' in page
    assert client.post("/@ben/follow").status_code == 302
    assert Follow.objects.filter(follower=ana, followed=ben).exists()
    page = client.get("/@ben").content.decode()
    assert 'action="/@ben/unfollow"' in page
    assert "<strong>1</strong> followers" in page
    client.post("/@ben/unfollow")
    assert not Follow.objects.exists()


def test_following_yourself_via_view_is_refused(client, ana):
    client.force_login(ana)
    response = client.post("/@ana/follow")
    assert response.status_code == 400
    assert "can&#x27;t follow yourself" in response.content.decode()
    assert not Follow.objects.exists()


def test_follower_and_following_lists(client, ana, ben, make_user):
    follow_create(follower=ana, followed=ben)
    follow_create(follower=make_user("cat", display_name="Cat"), followed=ben)
    page = client.get("/@ben/followers").content.decode()
    assert "Ana Ink" in page and "Cat" in page and "2 followers" in page
    page = client.get("/@ana/following").content.decode()
    assert "Ben Clay" in page


def test_block_via_view_hides_profiles_both_ways(client, ana, ben):
    follow_create(follower=ana, followed=ben)
    post = posts.post_create(author=ben, text="ben's secret art")
    client.force_login(ana)
    assert client.post("/@ben/block").status_code == 302
    assert Block.objects.filter(blocker=ana, blocked=ben).exists()
    assert not Follow.objects.exists()
    page = client.get("/@ben").content.decode()
    assert "one of you has blocked the other" in page and "Ben Clay" not in page
    assert client.get(f"/@ben/posts/{post.pk}").status_code == 404
    assert "ben" in client.get("/settings/blocked").content.decode()
    client.force_login(ben)
    assert "one of you has blocked the other" in client.get("/@ana").content.decode()
    assert "one of you has blocked the other" in client.get("/@ana/followers").content.decode()


def test_blocked_users_posts_hidden_on_profile_tab_and_hashtag_free(client, ana, ben):
    block_create(blocker=ana, blocked=ben)
    posts.post_create(author=ana, text="ana only")
    client.force_login(ben)
    # the profile is replaced by the blocked page, so the posts tab shows nothing of ana
    assert "ana only" not in client.get("/@ana/posts").content.decode()


def test_mute_via_view(client, ana, ben):
    client.force_login(ana)
    client.post("/@ben/mute")
    assert Mute.objects.filter(muter=ana, muted=ben).exists()
    assert 'action="/@ben/unmute"' in client.get("/@ben").content.decode()
    client.post("/@ben/unmute")
    assert not Mute.objects.exists()


def test_profile_tabs_still_resolve(client, ana):
    assert client.get("/@ana/posts").status_code == 200
    assert client.get("/@ana/likes").status_code == 200
