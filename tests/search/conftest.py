"""Search fixtures: artists, posts and projects written through their services, indexed."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from PIL import Image


@pytest.fixture
def make_asset(db):
    """A ready MediaAsset with one small rendition (as tests/posts/conftest.py makes them)."""
    from kiln.core.ids import new_id
    from kiln.media.models import MediaAsset, Rendition

    def make(owner):
        out = io.BytesIO()
        Image.new("RGB", (32, 24), (200, 80, 40)).save(out, "JPEG")
        data = out.getvalue()
        key = f"test/{new_id()}"
        original = storages["private"].save(f"{key}.jpg", ContentFile(data))
        asset = MediaAsset.objects.create(
            owner=owner,
            state=MediaAsset.State.READY,
            original_key=original,
            original_format="jpeg",
            original_bytes=len(data),
            original_sha256="0" * 64,
            width=32,
            height=24,
        )
        public = storages["default"].save(f"r/{key}.jpg", ContentFile(data))
        Rendition.objects.create(
            asset=asset, format="jpeg", width=32, height=24, key=public, bytes=len(data)
        )
        return asset

    return make


@pytest.fixture
def artist(make_user):
    """make an artist through profile_update (which sends profile_saved: indexed)."""
    from kiln.accounts.services import profile_update

    def make(username, *, name="", bio="", location="", fields=(), status="unavailable", **kw):
        user = make_user(username, **kw)
        profile_update(
            user=user,
            display_name=name,
            bio=bio,
            pronouns="",
            location=location,
            fields_of_work=list(fields),
            status=status,
            links=[],
        )
        return user

    return make


@pytest.fixture
def write_post():
    """post_create: its post_created event indexes the post (kiln/search/subscribers.py)."""
    from kiln.posts.services import post_create

    def write(author, text, **fields):
        return post_create(author=author, text=text, **fields)

    return write


@pytest.fixture
def published_project():
    """A published project with labels, indexed (no images: search doesn't need them)."""
    from django.utils import timezone

    from kiln.portfolio.models import Project, ProjectTag
    from kiln.search.services import search_project_index

    def make(owner, title, description="", *, labels=(), is_mature=False):
        project = Project.objects.create(
            owner=owner,
            title=title,
            description=description,
            state=Project.State.PUBLISHED,
            published_at=timezone.now(),
            is_mature=is_mature,
        )
        for kind, slug, name in labels:
            ProjectTag.objects.create(project=project, kind=kind, slug=slug, name=name)
        search_project_index(project_id=project.pk)
        return project

    return make
