"""Avatars and banners carry the renditions' reservations, and WebP's EXIF chunk is well formed
(issue 16.7)."""

import io
import json
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from kiln.media.c2pa import c2pa_read
from kiln.media.rights import DATA_MINING_PROHIBITED, webp_exif_chunk_fix
from tests.shield.site import png

pytestmark = pytest.mark.django_db


def exiftool(data: bytes) -> dict:
    binary = shutil.which("exiftool")
    if binary is None:
        pytest.fail("exiftool is missing: `make test` installs libimage-exiftool-perl.")
    tags = {}
    # Naming tags (-validate, -warning) limits the output to them: two reads.
    for options in (["-struct"], ["-validate", "-warning"]):
        result = subprocess.run(
            [binary, "-j", "-G1", "-a", *options, "-"], input=data, capture_output=True, check=True
        )
        tags.update(json.loads(result.stdout)[0])
    return tags


def training_uses(data: bytes) -> dict:
    state, store = c2pa_read(data, fmt="webp")
    assert state == "Valid"
    active = store["manifests"][store["active_manifest"]]
    training = next(a for a in active["assertions"] if a["label"] == "cawg.training-mining")
    return {name: entry["use"] for name, entry in training["data"]["entries"].items()}


@pytest.fixture
def uploaded(client, make_user, settings, tmp_path):
    settings.VAR_DIR = tmp_path  # a fresh C2PA instance key
    settings.KILN_SITE_URL = "http://127.0.0.1:8111"
    user = make_user("ana", display_name="Ana Example")
    client.force_login(user)

    def upload(kind: str) -> bytes:
        from kiln.accounts.images import normalise_profile_image
        from kiln.accounts.services import profile_images_update

        upload = SimpleUploadedFile(f"{kind}.png", png(4, 900, 600))
        image = normalise_profile_image(upload, kind=kind)
        profile = profile_images_update(user=user, **{kind: image})
        return getattr(profile, kind).read()

    return upload


@pytest.mark.parametrize("kind", ["avatar", "banner"])
def test_profile_images_carry_the_rights_xmp_exif_and_c2pa(uploaded, kind):
    data = uploaded(kind)
    tags = exiftool(data)
    assert tags["ExifTool:Validate"] == "OK", tags.get("ExifTool:Warning")
    assert tags["XMP-xmpRights:Marked"] is True
    assert tags["XMP-plus:DataMining"] == DATA_MINING_PROHIBITED
    assert tags["XMP-xmpRights:WebStatement"] == "http://127.0.0.1:8111/@ana"
    assert "All rights reserved" in tags["IFD0:Copyright"]
    assert "No AI training" in tags["XMP-plus:OtherConstraints"]
    assert set(training_uses(data).values()) == {"notAllowed"}
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "WEBP"
        assert image.size == ((400, 400) if kind == "avatar" else (1500, 500))


def test_webp_renditions_have_a_proper_exif_chunk(
    make_user, settings, django_capture_on_commit_callbacks
):
    from django.core.files.storage import storages

    from kiln.media.services import media_asset_create

    settings.KILN_MEDIA_C2PA = False  # the chunk itself, before any manifest
    owner = make_user("ana", display_name="Ana Example")
    with django_capture_on_commit_callbacks(execute=True):
        asset = media_asset_create(owner=owner, upload=png(3, 400, 300))
    webps = [storages["default"].open(r.key).read() for r in asset.renditions.filter(format="webp")]
    assert webps
    for data in webps:
        tags = exiftool(data)
        assert tags["ExifTool:Validate"] == "OK", tags.get("ExifTool:Warning")
        assert tags["IFD0:Artist"].startswith("Ana Example")


@pytest.mark.parametrize(
    "data",
    [b"", b"RIFF", b"RIFF\x10\x00\x00\x00WEBPVP8 \xff\xff\x00\x00abc", b"\x89PNG\r\n" + b"x" * 40],
)
def test_the_exif_fix_leaves_anything_else_unchanged(data):
    assert webp_exif_chunk_fix(data) == data
