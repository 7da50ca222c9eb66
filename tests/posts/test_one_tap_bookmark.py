"""One-tap bookmark into "Saved", moving it afterwards, with and without htmx, and the Mastodon
API's bookmark endpoints going through the same service."""

import pytest

from kiln.posts import services
from kiln.posts.models import Bookmark, BookmarkCollection
from kiln.social.services import block_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(ana):
    from kiln.portfolio.models import Project

    return Project.objects.create(owner=ana, title="Harbour series", state="published")


def test_one_tap_saves_to_saved_without_naming_and_redirects_back(client, ana, ben):
    post = services.post_create(author=ana, text="keep this")
    client.force_login(ben)
    response = client.post(f"/posts/{post.pk}/save", {"next": "/home"})
    assert response.status_code == 302 and response["Location"] == "/home"
    bookmark = Bookmark.objects.get(post=post)
    assert bookmark.collection.name == "Saved" and bookmark.collection.owner == ben
    page = client.get(f"/@ana/posts/{post.pk}").content.decode()
    assert f'action="/posts/{post.pk}/unsave"' in page and "Move to a collection…" in page
    # A second tap on the same post (another tab) changes nothing.
    client.post(f"/posts/{post.pk}/save")
    assert Bookmark.objects.count() == 1


def test_one_tap_with_htmx_returns_the_action_bar(client, ana, ben):
    post = services.post_create(author=ana, text="keep this")
    client.force_login(ben)
    response = client.post(f"/posts/{post.pk}/save", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and 'class="post-actions"' in body
    assert f'hx-post="/posts/{post.pk}/unsave"' in body and 'aria-pressed="true"' in body
    response = client.post(f"/posts/{post.pk}/unsave", headers={"HX-Request": "true"})
    assert f'hx-post="/posts/{post.pk}/save"' in response.content.decode()
    assert not Bookmark.objects.exists()


def test_move_to_another_collection_leaves_saved(client, ana, ben):
    post = services.post_create(author=ana, text="keep this")
    client.force_login(ben)
    client.post(f"/posts/{post.pk}/save")
    refs = BookmarkCollection.objects.create(owner=ben, name="References")
    picker = client.get(f"/posts/{post.pk}/bookmark").content.decode()
    assert "Move to a collection" in picker and "Move here" in picker
    client.post(f"/posts/{post.pk}/bookmark", {"collection": refs.pk, "move": "1"})
    assert list(Bookmark.objects.values_list("collection__name", flat=True)) == ["References"]


def test_unsave_removes_from_every_collection(client, ana, ben):
    post = services.post_create(author=ana, text="keep this")
    client.force_login(ben)
    client.post(f"/posts/{post.pk}/bookmark", {"new_name": "References"})
    client.post(f"/posts/{post.pk}/save")
    assert Bookmark.objects.count() == 2
    client.post(f"/posts/{post.pk}/unsave")
    assert not Bookmark.objects.exists()


def test_save_refusals_change_nothing(client, ana, ben):
    secret = services.post_create(author=ana, text="x", visibility="followers")
    response = client.post(f"/posts/{secret.pk}/save")
    assert response.status_code == 302 and "/login" in response["Location"]  # anonymous
    client.force_login(ben)
    assert client.post(f"/posts/{secret.pk}/save").status_code in (400, 403, 404)
    assert client.get(f"/posts/{secret.pk}/save").status_code == 405
    assert client.post("/posts/999999999/save").status_code in (400, 404)
    public = services.post_create(author=ana, text="public")
    block_create(blocker=ana, blocked=ben)
    assert client.post(f"/posts/{public.pk}/save").status_code in (400, 403, 404)
    assert not Bookmark.objects.exists() and not BookmarkCollection.objects.exists()


def test_project_one_tap_and_move(client, ana, ben, project):
    client.force_login(ben)
    response = client.post(f"/projects/{project.pk}/save")
    assert response.status_code == 302
    assert Bookmark.objects.get(project_id=project.pk).collection.name == "Saved"
    refs = BookmarkCollection.objects.create(owner=ben, name="References")
    client.post(f"/projects/{project.pk}/bookmark", {"collection": refs.pk, "move": "1"})
    assert Bookmark.objects.get(project_id=project.pk).collection == refs
    client.post(f"/projects/{project.pk}/unsave")
    assert not Bookmark.objects.exists()
