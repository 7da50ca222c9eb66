"""Portfolio fixtures: real media assets made through the media pipeline (run inline)."""

import io

import pytest

from kiln.core.procedural import artwork


def png_bytes(seed: int = 1, width: int = 96, height: int = 64) -> bytes:
    out = io.BytesIO()
    artwork(seed, width, height).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def make_asset(db, django_capture_on_commit_callbacks):
    """make_asset(owner) -> a MediaAsset processed by the real pipeline (ready), unless
    process=False, which leaves it `uploaded` as if the worker hadn't reached it yet."""
    from kiln.media.services import media_asset_create

    def make(owner, *, seed: int = 1, width: int = 96, height: int = 64, process: bool = True):
        with django_capture_on_commit_callbacks(execute=process):
            asset = media_asset_create(owner=owner, upload=png_bytes(seed, width, height))
        asset.refresh_from_db()
        return asset

    return make


@pytest.fixture
def files_under(media_root):
    """files_under() -> every file in the test's media root (public and private)."""

    def list_files():
        if not media_root.exists():
            return []
        return sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())

    return list_files


@pytest.fixture
def artist(make_user):
    return make_user("ana")


@pytest.fixture
def other(make_user):
    return make_user("bo")
