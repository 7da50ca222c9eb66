import datetime as dt

import pytest
from django.utils import timezone
from django.utils.html import escape


@pytest.fixture
def active_user(make_user):
    """A user who read their timeline just now, so fan-out reaches them."""

    def make(username: str, *, days_ago: float = 0):
        user = make_user(username)
        user.last_active_at = timezone.now() - dt.timedelta(days=days_ago)
        user.save(update_fields=["last_active_at"])
        return user

    return make


@pytest.fixture
def follow(db):
    from kiln.social.models import Follow

    def make(follower, followed):
        return Follow.objects.create(follower=follower, followed=followed)

    return make


@pytest.fixture
def publish(db, django_capture_on_commit_callbacks):
    """Write a post row and run the timeline hook the posts app calls on commit, with the
    background fan-out executed inline (ImmediateBackend)."""
    from kiln.posts.models import Post
    from kiln.timelines.services import timeline_post_created

    def make(author, text="hello", **fields):
        with django_capture_on_commit_callbacks(execute=True):
            # text_html is what the card shows; the posts app renders it at write time.
            fields.setdefault("text_html", escape(text))
            post = Post.objects.create(author=author, text=text, **fields)
            timeline_post_created(post=post)
        return post

    return make


def timeline_ids(user) -> list[int]:
    from kiln.timelines.models import TimelineEntry

    return list(
        TimelineEntry.objects.filter(user=user)
        .order_by("-post_id")
        .values_list("post_id", flat=True)
    )
