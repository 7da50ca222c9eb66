import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.test import RequestFactory

from kiln.core.access import AccessDenied
from kiln.notifications.models import Notification
from kiln.posts import bookmarks, services
from kiln.posts.models import Bookmark, BookmarkCollection, Post, ProjectLike
from kiln.social.services import block_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(ana):
    from kiln.portfolio.models import Project

    return Project.objects.create(owner=ana, title="Harbour series", state="published")


@pytest.fixture
def draft(ana):
    from kiln.portfolio.models import Project

    return Project.objects.create(owner=ana, title="Secret draft", state="draft")


def test_share_project_as_a_post_shows_a_rich_card(client, ana, ben, project):
    client.force_login(ben)
    assert "Harbour series" in client.get(f"/compose?project={project.pk}").content.decode()
    response = client.post("/compose", {"text": "Look at this", "project": project.pk})
    post = Post.objects.get()
    assert post.shared_project_id == project.pk
    page = client.get(response["Location"]).content.decode()
    assert 'class="project-card"' in page and "Harbour series" in page
    assert f'href="/@ana/projects/{project.pk}"' in page


def test_sharing_a_draft_or_missing_project_is_refused(ana, ben, draft):
    with pytest.raises(ValidationError, match="does not exist or is not visible"):
        services.post_create(author=ben, text="x", project=draft.pk)
    with pytest.raises(ValidationError):
        services.post_create(author=ben, text="x", project=987654321)
    assert not Post.objects.exists()


def test_project_like_is_idempotent_and_notifies_once(client, ana, ben, project):
    client.force_login(ben)
    client.post(f"/projects/{project.pk}/like")
    client.post(f"/projects/{project.pk}/like")
    assert ProjectLike.objects.count() == 1
    assert Notification.objects.filter(recipient=ana, kind="project_like").count() == 1
    client.post(f"/projects/{project.pk}/unlike")
    assert not ProjectLike.objects.exists()


def test_project_comments_use_the_reply_mechanism(client, ana, ben, project):
    client.force_login(ben)
    response = client.post(f"/projects/{project.pk}/comments", {"text": "Stunning skies"})
    assert response.status_code == 302
    comment = Post.objects.get()
    assert comment.commented_project_id == project.pk and comment.in_reply_to is None
    assert Notification.objects.filter(recipient=ana, kind="project_comment").exists()
    reply = services.project_comment_create(
        author=ana, project_id=project.pk, text="Thank you!", in_reply_to=comment
    )
    assert reply.in_reply_to == comment and reply.commented_project_id == project.pk
    assert Notification.objects.filter(recipient=ben, kind="reply").exists()
    # The hook the portfolio page includes: likes, the comment form and the threads.
    request = RequestFactory().get(f"/@ana/projects/{project.pk}")
    request.user = ben
    html = Template("{% load kiln_posts %}{% project_social project %}").render(
        Context({"project": project, "request": request})
    )
    assert "Stunning skies" in html and "Thank you!" in html
    assert html.index("Stunning skies") < html.index("Thank you!")
    assert f'action="/projects/{project.pk}/comments"' in html
    # Comments stay on the project: not on the commenter's Posts tab.
    assert "Stunning skies" not in client.get("/@ben/posts").content.decode()


def test_empty_project_comment_and_blocked_commenter_are_refused(client, ana, ben, project):
    client.force_login(ben)
    response = client.post(f"/projects/{project.pk}/comments", {"text": " "})
    assert response.status_code == 400
    assert "needs some text" in response.content.decode()
    block_create(blocker=ana, blocked=ben)
    response = client.post(f"/projects/{project.pk}/comments", {"text": "hi"})
    assert response.status_code == 403
    with pytest.raises(AccessDenied):
        services.project_like_create(user=ben, project_id=project.pk)
    assert not Post.objects.exists() and not ProjectLike.objects.exists()


def test_bookmark_collections_are_private(client, ana, ben, project):
    post = services.post_create(author=ana, text="bookmark me")
    client.force_login(ben)
    client.post(f"/posts/{post.pk}/bookmark", {"new_name": "References"})
    collection = BookmarkCollection.objects.get(owner=ben, name="References")
    client.post(f"/projects/{project.pk}/bookmark", {"collection": collection.pk})
    assert Bookmark.objects.filter(collection=collection).count() == 2
    page = client.get(f"/bookmarks/{collection.pk}").content.decode()
    assert "bookmark me" in page and "Harbour series" in page
    assert "References" in client.get("/bookmarks").content.decode()
    client.force_login(ana)
    assert client.get(f"/bookmarks/{collection.pk}").status_code == 404
    response = client.post(f"/bookmarks/{collection.pk}/delete")
    assert response.status_code == 404
    assert BookmarkCollection.objects.filter(pk=collection.pk).exists()
    client.logout()
    assert client.get(f"/bookmarks/{collection.pk}").status_code == 302  # to the login page


def test_bookmark_bad_input(ana, ben):
    with pytest.raises(ValidationError, match="Give the collection a name"):
        bookmarks.bookmark_collection_create(owner=ana, name="  ")
    bookmarks.bookmark_collection_create(owner=ana, name="Inspiration")
    with pytest.raises(ValidationError, match="already have a collection"):
        bookmarks.bookmark_collection_create(owner=ana, name="inspiration")
    secret = services.post_create(author=ben, text="x", visibility="followers")
    with pytest.raises(ValidationError, match="deleted or you can't see it"):
        bookmarks.bookmark_post_add(owner=ana, post_id=secret.pk)
    assert BookmarkCollection.objects.count() == 1 and not Bookmark.objects.exists()


def test_bookmarking_twice_is_idempotent_and_card_shows_state(client, ana, ben):
    post = services.post_create(author=ana, text="save")
    bookmarks.bookmark_post_add(owner=ben, post_id=post.pk)
    bookmarks.bookmark_post_add(owner=ben, post_id=post.pk)
    assert Bookmark.objects.count() == 1
    assert BookmarkCollection.objects.get().name == "Saved"
    client.force_login(ben)
    page = client.get(f"/@ana/posts/{post.pk}").content.decode()
    assert f'action="/posts/{post.pk}/unsave"' in page and 'class="action is-on"' in page
