import pytest
from django.core.exceptions import ValidationError

from kiln.core.access import AccessDenied
from kiln.social import selectors, services
from kiln.social.models import Block, Follow, Mute

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(make_user):
    return make_user("ana")


@pytest.fixture
def ben(make_user):
    return make_user("ben")


def test_follow_is_idempotent_and_tells_timelines(ana, ben, timeline_calls):
    services.follow_create(follower=ana, followed=ben)
    services.follow_create(follower=ana, followed=ben)
    assert Follow.objects.filter(follower=ana, followed=ben).count() == 1
    assert timeline_calls == [("timeline_follow_created", {"follower": ana, "followed": ben})]
    assert services.follow_delete(follower=ana, followed=ben) is True
    assert services.follow_delete(follower=ana, followed=ben) is False
    assert timeline_calls[-1] == ("timeline_follow_removed", {"follower": ana, "followed": ben})
    assert not Follow.objects.exists()


def test_following_yourself_is_refused(ana):
    with pytest.raises(ValidationError, match="can't follow yourself"):
        services.follow_create(follower=ana, followed=ana)
    assert not Follow.objects.exists()


def test_block_removes_follows_both_ways_and_hides_both_sides(ana, ben, timeline_calls):
    services.follow_create(follower=ana, followed=ben)
    services.follow_create(follower=ben, followed=ana)
    services.block_create(blocker=ana, blocked=ben)
    assert not Follow.objects.exists()
    removed = [c for c in timeline_calls if c[0] == "timeline_follow_removed"]
    assert len(removed) == 2
    assert selectors.hidden_author_ids(ana) == {ben.pk}
    assert selectors.hidden_author_ids(ben) == {ana.pk}
    assert selectors.profile_relationship_context(viewer=ben, owner=ana)["blocked"] is True


def test_blocked_user_cannot_follow(ana, ben):
    services.block_create(blocker=ana, blocked=ben)
    with pytest.raises(AccessDenied, match="can't follow @ana"):
        services.follow_create(follower=ben, followed=ana)
    with pytest.raises(AccessDenied):
        services.follow_create(follower=ana, followed=ben)
    assert not Follow.objects.exists()


def test_mute_is_one_sided(ana, ben):
    services.mute_create(muter=ana, muted=ben)
    assert selectors.hidden_author_ids(ana) == {ben.pk}
    assert selectors.hidden_author_ids(ben) == set()
    services.mute_delete(muter=ana, muted=ben)
    assert not Mute.objects.exists()


def test_cannot_block_or_mute_yourself(ana):
    with pytest.raises(ValidationError):
        services.block_create(blocker=ana, blocked=ana)
    with pytest.raises(ValidationError):
        services.mute_create(muter=ana, muted=ana)
    assert not Block.objects.exists() and not Mute.objects.exists()


def test_hidden_author_ids_is_one_query(ana, ben, make_user, django_assert_num_queries):
    cat = make_user("cat")
    services.block_create(blocker=ana, blocked=ben)
    services.block_create(blocker=cat, blocked=ana)
    services.mute_create(muter=ana, muted=make_user("dan"))
    with django_assert_num_queries(1):
        hidden = selectors.hidden_author_ids(ana)
    assert len(hidden) == 3


def test_profile_relationship_counts(ana, ben, make_user):
    services.follow_create(follower=ana, followed=ben)
    services.follow_create(follower=make_user("cat"), followed=ben)
    context = selectors.profile_relationship_context(viewer=ana, owner=ben)
    assert context["follower_count"] == 2
    assert context["following_count"] == 0
    assert context["relationship"]["following"] is True
    assert context["relationship_template"] == "social/_profile_actions.html"
