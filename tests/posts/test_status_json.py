"""The JSON statuses' scalar fields, read without the ORM's converters: dates as Mastodon
writes them, flags as booleans, on SQLite and PostgreSQL alike; and the response encoder."""

import datetime as dt
import json

import pytest
from django.utils.translation import gettext_lazy

from kiln.core.jsonresponse import FastJsonResponse
from kiln.posts import services
from kiln.posts.cards import post_statuses
from kiln.posts.models import Post

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("microsecond", [0, 123456])
def test_dates_are_the_models_own_in_iso_8601(ana, ben, microsecond):
    """A whole second has no fraction (Django stores it so on SQLite, and isoformat agrees)."""
    post = services.post_create(author=ana, text="dated", is_mature=True)
    created = dt.datetime(2026, 3, 4, 5, 6, 7, microsecond, tzinfo=dt.UTC)
    edited = created + dt.timedelta(hours=1)
    Post.objects.filter(pk=post.pk).update(created_at=created, edited_at=edited)
    services.post_like(user=ben, post=post)

    [status] = post_statuses([post.pk], ben, hidden=set())

    post.refresh_from_db()
    assert status["created_at"] == post.created_at.isoformat() == created.isoformat()
    assert status["edited_at"] == edited.isoformat()
    assert status["sensitive"] is True
    assert status["favourited"] is True and status["reblogged"] is False
    assert status["bookmarked"] is False


def test_an_unedited_status_has_no_edited_at_and_a_reblog_carries_its_original(ana, ben):
    post = services.post_create(author=ana, text="original")
    reblog = services.post_reblog(user=ben, post=post)

    [status] = post_statuses([reblog.pk], ana, hidden=set())

    assert status["edited_at"] is None and status["sensitive"] is False
    assert status["reblog"]["id"] == str(post.pk)
    assert status["reblog"]["created_at"] == post.created_at.isoformat()


def test_fast_json_response_encodes_lazy_text_and_refuses_a_bare_list():
    response = FastJsonResponse({"message": gettext_lazy("Hello"), "n": 1}, status=403)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"message": "Hello", "n": 1}
    with pytest.raises(TypeError):
        FastJsonResponse([1, 2])
