"""A signed C2PA manifest with cawg.training-mining = notAllowed, in every real rendition."""

import json
import shutil
import subprocess

import pytest
from django.core.files.storage import storages

from kiln.media.c2pa import c2pa_read, c2pa_sign_rendition
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


def manifest_author(data: bytes, fmt: str) -> str | None:
    """The CreativeWork author of a rendition's valid C2PA manifest; None without one."""
    try:
        state, store = c2pa_read(data, fmt=fmt)
    except Exception:  # c2pa's Reader raises on a file with no manifest at all
        return None
    assert state == "Valid"
    active = store["manifests"][store["active_manifest"]]
    labels = {a["label"] for a in active["assertions"]}
    assert "cawg.training-mining" in labels
    work = next(a for a in active["assertions"] if a["label"] == "stds.schema-org.CreativeWork")
    return work["data"]["author"][0]["name"]


def test_the_pipeline_signs_every_rendition_for_its_artist(renditions):
    assert set(renditions) == {"jpeg", "webp", "avif"}
    for fmt, data in renditions.items():
        assert manifest_author(data, fmt) == "Ana Example", fmt


def test_a_failed_signing_keeps_the_upload_and_its_other_protections(
    make_user, django_capture_on_commit_callbacks, settings, tmp_path, monkeypatch, caplog
):
    from kiln.media import c2pa as c2pa_manifest
    from kiln.media.services import media_asset_create

    def broken(*args, **kwargs):
        raise RuntimeError("no signer")

    monkeypatch.setattr(c2pa_manifest, "c2pa_sign_rendition", broken)
    settings.VAR_DIR = tmp_path
    owner = make_user("ana", display_name="Ana Example")
    with django_capture_on_commit_callbacks(execute=True):
        asset = media_asset_create(owner=owner, upload=png(3, 400, 300))
    asset.refresh_from_db()
    assert asset.state == asset.State.READY
    assert "C2PA manifest not added" in caplog.text
    jpeg = storages["default"].open(asset.renditions.filter(format="jpeg").first().key).read()
    assert manifest_author(jpeg, "jpeg") is None
    assert b"DMI-PROHIBITED-AIMLTRAINING" in jpeg  # the XMP still says it


def test_the_manifest_can_be_turned_off(
    make_user, django_capture_on_commit_callbacks, settings, tmp_path
):
    from kiln.media.services import media_asset_create

    settings.VAR_DIR = tmp_path
    settings.KILN_MEDIA_C2PA = False
    owner = make_user("ana", display_name="Ana Example")
    with django_capture_on_commit_callbacks(execute=True):
        asset = media_asset_create(owner=owner, upload=png(3, 400, 300))
    for rendition in asset.renditions.all():
        data = storages["default"].open(rendition.key).read()
        assert manifest_author(data, rendition.format) is None
