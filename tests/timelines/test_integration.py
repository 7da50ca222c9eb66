"""The timelines hooks as the posts and social apps call them (their real services)."""

import pytest

from tests.timelines.conftest import timeline_ids

pytestmark = pytest.mark.django_db


def test_feed_services_drive_the_timelines(active_user, django_capture_on_commit_callbacks):
    from kiln.posts.services import post_create, post_delete
    from kiln.social.services import block_create, follow_create, follow_delete

    ana, bea = active_user("ana"), active_user("bea")
    with django_capture_on_commit_callbacks(execute=True):
        early = post_create(author=bea, text="before the follow #ink")
    with django_capture_on_commit_callbacks(execute=True):
        follow_create(follower=ana, followed=bea)
    assert timeline_ids(ana) == [early.pk]  # backfilled
    with django_capture_on_commit_callbacks(execute=True):
        later = post_create(author=bea, text="after the follow")
    assert timeline_ids(ana) == [later.pk, early.pk]
    assert timeline_ids(bea) == [later.pk, early.pk]
    with django_capture_on_commit_callbacks(execute=True):
        post_delete(post=later, actor=bea)
    assert timeline_ids(ana) == [early.pk]
    with django_capture_on_commit_callbacks(execute=True):
        follow_delete(follower=ana, followed=bea)
    assert timeline_ids(ana) == []
    with django_capture_on_commit_callbacks(execute=True):
        follow_create(follower=ana, followed=bea)
        follow_create(follower=bea, followed=ana)
        mine = post_create(author=ana, text="mine")
    assert timeline_ids(bea) == [mine.pk, early.pk]
    with django_capture_on_commit_callbacks(execute=True):
        block_create(blocker=ana, blocked=bea)
    assert timeline_ids(ana) == [mine.pk]
    assert timeline_ids(bea) == [early.pk]


def test_tag_page_from_real_posts(active_user, client, django_capture_on_commit_callbacks):
    from kiln.posts.services import post_create

    bea = active_user("bea")
    with django_capture_on_commit_callbacks(execute=True):
        post = post_create(author=bea, text="an #Ink study")
    assert f'id="item-{post.pk}"' in client.get("/tags/ink").content.decode()
