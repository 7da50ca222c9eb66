import io

import pytest

from kiln.posts.models import Post, PostLike, PostTag
from kiln.posts.seed import seed_posts
from kiln.social.models import Follow

pytestmark = pytest.mark.django_db


def test_seed_posts_is_idempotent(make_user):
    from kiln.portfolio.models import Project

    artists = [make_user(f"artist{i}") for i in range(4)]
    project = Project.objects.create(owner=artists[0], title="Series", state="published")
    out = io.StringIO()
    written = seed_posts(artists=artists, stdout=out)
    assert written > 8
    assert Follow.objects.count() == 12
    assert Post.objects.filter(in_reply_to__isnull=False).exists()
    assert Post.objects.filter(reblog__isnull=False).exists()
    assert PostLike.objects.exists() and PostTag.objects.exists()
    assert Post.objects.filter(attachments__isnull=False).exists()
    assert Post.objects.filter(author=artists[0], shared_project_id=project.pk).exists()
    before = Post.objects.count()
    assert seed_posts(artists=artists, stdout=out) == 0
    assert Post.objects.count() == before
