"""A destructive action asks first: a post's Delete is a second step behind "Delete…", and
only its author sees it."""

import re

import pytest

from kiln.posts.models import Post
from kiln.posts.services import post_create

pytestmark = pytest.mark.django_db


def test_delete_is_behind_a_confirmation_step(client, make_user):
    mira = make_user("mira")
    post = post_create(author=mira, text="An early sketch")
    client.force_login(mira)
    html = client.get(f"/@mira/posts/{post.pk}").content.decode()
    step = re.search(r'<details class="confirm-delete">(.*?)</details>', html, re.S)
    assert step is not None
    assert "<summary" in step.group(1) and f'action="/posts/{post.pk}/delete"' in step.group(1)
    assert html.count(f'action="/posts/{post.pk}/delete"') == 1  # no one-tap copy elsewhere
    client.post(f"/posts/{post.pk}/delete")
    assert Post.objects.get(pk=post.pk).deleted_at is not None


def test_no_one_else_gets_the_delete_step(client, make_user):
    mira, ben = make_user("mira"), make_user("ben")
    post = post_create(author=mira, text="An early sketch")
    client.force_login(ben)
    assert "confirm-delete" not in client.get(f"/@mira/posts/{post.pk}").content.decode()
    assert client.post(f"/posts/{post.pk}/delete").status_code in {403, 404}
    assert Post.objects.get(pk=post.pk).deleted_at is None


def _confirm_step(html: str, action: str) -> str:
    """The <details class="confirm-delete"> holding the form that posts to `action`."""
    for step in re.findall(r'<details class="confirm-delete">(.*?)</details>', html, re.S):
        if f'action="{action}"' in step:
            return step
    return ""


def test_every_destructive_form_is_behind_a_step(client, make_user):
    from kiln.posts.models import BookmarkCollection

    make_user("mira")
    ben = make_user("ben")
    collection = BookmarkCollection.objects.create(owner=ben, name="Refs")
    client.force_login(ben)
    profile = client.get("/@mira").content.decode()
    step = _confirm_step(profile, "/@mira/block")
    assert step and "<summary" in step and "They aren't told" in step
    assert profile.count('action="/@mira/block"') == 1
    page = client.get(f"/bookmarks/{collection.pk}").content.decode()
    action = f"/bookmarks/{collection.pk}/delete"
    assert _confirm_step(page, action) and page.count(f'action="{action}"') == 1


def test_project_delete_is_a_confirm_page(client, make_user):
    from kiln.portfolio.models import Project

    mira = make_user("mira")
    project = Project.objects.create(owner=mira, title="Harbour", state="published")
    client.force_login(mira)
    page = client.get(f"/portfolio/projects/{project.pk}/delete").content.decode()
    assert "Delete “Harbour”?" in page and "Keep it" in page
    assert Project.objects.filter(pk=project.pk).exists()  # the GET asks; it deletes nothing
