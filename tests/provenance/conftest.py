import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def samples_dir(request):
    # `shared_dir` comes from tests/conftest.py when the project conftest is present.
    try:
        shared = request.getfixturevalue("shared_dir")
    except pytest.FixtureLookupError:
        shared = Path(__file__).resolve().parents[2].parent / "shared"
    return Path(shared) / "samples"


@pytest.fixture(autouse=True)
def fresh_repost_index():
    """The repost index is process-wide; each test starts from its own database."""
    try:
        from kiln.provenance import index
    except Exception:  # Django not configured (pure screening tests)
        yield
        return
    index.reset()
    yield
    index.reset()


@pytest.fixture
def upload(db, django_capture_on_commit_callbacks):
    """upload(owner, data) -> a MediaAsset run through the real media pipeline inline."""
    from kiln.media.services import media_asset_create

    def make(owner, data: bytes):
        with django_capture_on_commit_callbacks(execute=True):
            asset = media_asset_create(owner=owner, upload=data)
        asset.refresh_from_db()
        return asset

    return make


@pytest.fixture
def artist(make_user):
    return make_user("ana")


@pytest.fixture
def thief(make_user):
    return make_user("bo")


@pytest.fixture
def staff(make_user):
    from kiln.moderation.defaults import defaults_ensure

    user = make_user("staffer")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(defaults_ensure()[0])  # the queue is moderation's
    return user


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """publish(owner, asset) -> the published portfolio Project showing the asset: the way a
    work gets its server-derived work_url and enters the registry."""
    from kiln.portfolio.services import ImageInput, ProjectInput, project_create, project_publish

    def make(owner, asset, title: str = "Work"):
        data = ProjectInput(title=title, images=[ImageInput(asset_id=asset.pk, alt_text="art")])
        with django_capture_on_commit_callbacks(execute=True):
            project = project_create(owner=owner, data=data)
            project = project_publish(user=owner, project=project)
        asset.refresh_from_db()
        return project

    return make
