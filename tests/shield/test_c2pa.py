"""Stretch: a signed C2PA manifest with cawg.training-mining = notAllowed, on real renditions."""

import json
import shutil
import subprocess

import pytest
from django.core.files.storage import storages

from kiln.shield.c2pa_manifest import c2pa_read, c2pa_sign_rendition
from tests.shield.site import png

pytestmark = pytest.mark.django_db


@pytest.fixture
def renditions(make_user, django_capture_on_commit_callbacks, settings, tmp_path):
    from kiln.media.services import media_asset_create

    settings.VAR_DIR = tmp_path  # a fresh instance key for this test
    owner = make_user("ana", display_name="Ana Example")
    with django_capture_on_commit_callbacks(execute=True):
        asset = media_asset_create(owner=owner, upload=png(3, 400, 300))
    return {r.format: storages["default"].open(r.key).read() for r in asset.renditions.all()}


@pytest.mark.parametrize("fmt", ["jpeg", "webp", "avif"])
def test_signed_manifest_says_not_allowed_and_keeps_the_xmp(renditions, fmt):
    signed = c2pa_sign_rendition(renditions[fmt], fmt=fmt, creator="Ana Example", work_url="x")
    state, store = c2pa_read(signed, fmt=fmt)
    assert state == "Valid"
    active = store["manifests"][store["active_manifest"]]
    training = next(a for a in active["assertions"] if a["label"] == "cawg.training-mining")
    uses = {name: entry["use"] for name, entry in training["data"]["entries"].items()}
    assert uses == {
        "cawg.ai_inference": "notAllowed",
        "cawg.ai_generative_training": "notAllowed",
        "cawg.ai_training": "notAllowed",
        "cawg.data_mining": "notAllowed",
    }
    # Only the trust list is missing: the instance CA is not a C2PA-trusted issuer.
    codes = {s["code"] for s in store.get("validation_status", [])}
    assert codes <= {"signingCredential.untrusted"}
    exiftool = shutil.which("exiftool")
    assert exiftool, "exiftool is missing: `make test` installs libimage-exiftool-perl."
    tags = json.loads(
        subprocess.run([exiftool, "-j", "-"], input=signed, capture_output=True, check=True).stdout
    )[0]
    assert "DMI-PROHIBITED-AIMLTRAINING" in json.dumps(tags)


def test_tampering_breaks_the_signature(renditions):
    signed = bytearray(
        c2pa_sign_rendition(renditions["jpeg"], fmt="jpeg", creator="A", work_url="x")
    )
    signed[-200] ^= 0xFF  # a pixel byte near the end of the image data
    state, _ = c2pa_read(bytes(signed), fmt="jpeg")
    assert state == "Invalid"
