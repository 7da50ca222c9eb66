import json
import shutil
import subprocess
from pathlib import Path

import pytest


@pytest.fixture
def artist(make_user):
    return make_user("ana", display_name="Ana Exämple")


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """upload(owner, data) -> MediaAsset, created and (inline, on commit) processed."""
    from kiln.media.models import MediaAsset
    from kiln.media.services import media_asset_create

    def run(owner, data: bytes, **kwargs) -> MediaAsset:
        with django_capture_on_commit_callbacks(execute=True):
            asset = media_asset_create(owner=owner, upload=data, **kwargs)
        return MediaAsset.objects.get(pk=asset.pk)

    return run


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def exiftool():
    """exiftool(bytes) -> {"Group:Tag": value} as exiftool reads the file."""
    binary = shutil.which("exiftool")
    if binary is None:
        pytest.fail("exiftool is missing: `make test` installs libimage-exiftool-perl.")

    def read(data: bytes, tmp_path_factory=None) -> dict:
        result = subprocess.run(
            [binary, "-j", "-G1", "-a", "-struct", "-"],
            input=data,
            capture_output=True,
            check=True,
        )
        return json.loads(result.stdout)[0]

    return read
