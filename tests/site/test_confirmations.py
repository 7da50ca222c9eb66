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
