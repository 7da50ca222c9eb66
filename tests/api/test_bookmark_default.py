"""The Mastodon API's bookmark endpoints use the web's one-tap service: "Saved" by default, and
unbookmark takes the status out of every collection it was moved to."""

import pytest

from kiln.posts import bookmarks, services
from kiln.posts.models import Bookmark, BookmarkCollection

pytestmark = pytest.mark.django_db


def test_api_bookmark_uses_the_default_collection(ana, ben, api_client, make_token):
    post = services.post_create(author=ana, text="api")
    api = api_client(make_token(ben))
    assert api.post(f"/api/v1/statuses/{post.pk}/bookmark").json()["bookmarked"] is True
    assert Bookmark.objects.get().collection.name == "Saved"
    # Moved on the web, then un-bookmarked through the API: gone from every collection.
    refs = BookmarkCollection.objects.create(owner=ben, name="References")
    bookmarks.bookmark_move(owner=ben, collection_id=refs.pk, post_id=post.pk)
    assert api.post(f"/api/v1/statuses/{post.pk}/unbookmark").json()["bookmarked"] is False
    assert not Bookmark.objects.exists()
