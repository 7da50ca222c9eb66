"""Held work is not public: a post with an image held for review (AI screening, a suspected
repost) is seen only by its author and staff until cleared, its renditions are served to them
alone, and the author is told why with a link to the findings and the appeal."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from kiln.media.delivery import rendition_url
from kiln.media.models import Rendition
from kiln.posts import services
from kiln.posts.cards import post_cards, post_statuses
from kiln.posts.selectors import can_view_post, visible_posts
from kiln.provenance.models import Screening
from kiln.social.services import block_create, follow_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user):
    user = make_user("mod")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def held_post(ana, ben, make_asset):
    follow_create(follower=ben, followed=ana)
    asset = make_asset(ana)
    post = services.post_create(author=ana, text="held piece", attachments=[(asset, "a vase")])
    Screening.objects.update_or_create(asset=asset, defaults={"state": Screening.State.HELD})
    return post, asset


def _served_rendition(asset) -> str:
    """A rendition stored under a real content-addressed key, as the pipeline names them."""
    key = f"ab/{'ab' * 20}.jpg"
    storages["default"].save(
        key, ContentFile(storages["default"].open(asset.renditions.get().key).read())
    )
    Rendition.objects.filter(asset=asset).update(key=key)
    return rendition_url(Rendition.objects.get(asset=asset))


def _viewers(ana, ben, staff, make_user):
    stranger = make_user("cy")
    blocked = make_user("dee")
    block_create(blocker=ana, blocked=blocked)
    return {
        "anonymous": (AnonymousUser(), False),
        "follower": (ben, False),
        "stranger": (stranger, False),
        "blocked": (blocked, False),
        "author": (ana, True),
        "staff": (staff, True),
    }


def test_only_its_author_and_staff_see_a_held_post(ana, ben, staff, make_user, held_post):
    post, _ = held_post
    post.refresh_from_db()
    for name, (viewer, sees) in _viewers(ana, ben, staff, make_user).items():
        assert can_view_post(post, viewer) is sees, name
        assert visible_posts(viewer).filter(pk=post.pk).exists() is sees, name
        assert bool(post_cards([post.pk], viewer, hidden=set())) is sees, name
        assert bool(post_statuses([post.pk], viewer, hidden=set())) is sees, name


def test_the_post_page_and_the_home_timeline_hide_it(client, ana, ben, held_post):
    post, _ = held_post
    url = f"/@ana/posts/{post.pk}"
    assert client.get(url).status_code == 404
    client.force_login(ben)
    assert client.get(url).status_code == 404
    assert b"held piece" not in client.get("/").content
    assert "held piece" not in client.get("/?format=json").content.decode()
    client.force_login(ana)
    page = client.get(url)
    assert page.status_code == 200 and b"See why, and appeal" in page.content


def test_a_cleared_post_is_public_again(client, held_post):
    post, asset = held_post
    Screening.objects.filter(asset=asset).update(state=Screening.State.RELEASED)
    assert client.get(f"/@ana/posts/{post.pk}").status_code == 200


def test_held_renditions_are_served_to_the_owner_and_staff_only(
    client, ana, ben, staff, make_user, held_post
):
    _, asset = held_post
    url = _served_rendition(asset)
    for name, (viewer, sees) in _viewers(ana, ben, staff, make_user).items():
        client.logout()
        if viewer.is_authenticated:
            client.force_login(viewer)
        response = client.get(url)
        assert response.status_code == (200 if sees else 404), name
        if sees:
            assert response["Cache-Control"] == "private, no-store"  # no CDN or proxy keeps it


def test_a_clear_renditions_stay_publicly_cacheable(client, ana, make_asset):
    asset = make_asset(ana)
    Screening.objects.filter(asset=asset).delete()
    response = client.get(_served_rendition(asset))
    assert response.status_code == 200 and response["Cache-Control"].startswith("public")


def test_the_author_is_notified_with_a_link_to_the_findings(client, ana, make_asset):
    from kiln.notifications.models import Notification
    from kiln.provenance import events

    asset = make_asset(ana)
    events.asset_held.send(events.AssetHeld(asset_id=asset.pk, owner=ana))
    note = Notification.objects.get(recipient=ana, kind=Notification.Kind.HELD)
    assert note.asset_id == asset.pk
    client.force_login(ana)
    page = client.get("/notifications").content.decode()
    assert "An image you uploaded is held for review" in page
    assert f"/provenance/assets/{asset.pk}" in page
