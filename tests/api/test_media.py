"""Media through the API: 202 while Kiln's pipeline works, 206 until ready, alt text and focus,
a held image refused with a clear error, bad uploads refused with nothing stored."""

import pytest

from kiln.media.models import MediaAsset
from kiln.posts.models import Post, PostAttachment

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana_api(api_client, ana, make_token):
    return api_client(make_token(ana))


@pytest.fixture
def art(shared_dir):
    return (shared_dir / "samples" / "art" / "the_scream.jpg").read_bytes()


def _upload(api, art, **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"file": SimpleUploadedFile("scream.jpg", art, content_type="image/jpeg"), **fields}
    return api.call("post", "/api/v2/media", data)


def _stored_files(media_root):
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


def test_upload_is_202_then_206_then_ready(ana_api, art):
    from kiln.media.services import media_asset_process

    uploaded = _upload(ana_api, art, description="A scream", focus="0.2,-0.5")
    assert uploaded.status_code == 202, uploaded.content
    media = uploaded.json()
    assert media["description"] == "A scream" and media["url"] is None
    assert media["meta"]["focus"] == {"x": 0.2, "y": -0.5}
    assert ana_api.get(f"/api/v1/media/{media['id']}").status_code == 206
    media_asset_process(asset_id=int(media["id"]))
    ready = ana_api.get(f"/api/v1/media/{media['id']}")
    assert ready.status_code == 200 and ready.json()["url"].startswith("http://testserver/")
    described = ana_api.put(f"/api/v1/media/{media['id']}", {"description": "Edvard's scream"})
    assert described.json()["description"] == "Edvard's scream"


def test_posting_with_media_uses_its_alt_text(ana_api, art):
    media = _upload(ana_api, art, description="A scream").json()
    status = ana_api.post("/api/v1/statuses", {"status": "", "media_ids": [media["id"]]})
    assert status.status_code == 200, status.content
    attachment = status.json()["media_attachments"][0]
    assert attachment["description"] == "A scream"
    # Kiln's extension key: reserved against AI training, with the policy's address.
    assert attachment["kiln"]["noai"] is True and attachment["kiln"]["cloaked"] is False
    assert attachment["kiln"]["tdm_policy"].endswith("/.well-known/tdm-policy.json")
    assert PostAttachment.objects.get().alt_text == "A scream"


def test_media_without_alt_text_is_refused_with_kilns_reason(ana_api, art):
    media = _upload(ana_api, art).json()
    refused = ana_api.post("/api/v1/statuses", {"status": "look", "media_ids": [media["id"]]})
    assert refused.status_code == 422 and "alt text" in refused.json()["error"]
    assert not Post.objects.exists()


def test_held_image_is_a_clear_error_never_attached(ana_api, art):
    from kiln.provenance.models import Screening

    media = _upload(ana_api, art, description="Mine, honest").json()
    Screening.objects.create(
        asset_id=int(media["id"]), verdict="ai", state=Screening.State.HELD, policy="hold"
    )
    shown = ana_api.get(f"/api/v1/media/{media['id']}")
    assert shown.status_code == 422 and "held for review" in shown.json()["error"]
    refused = ana_api.post("/api/v1/statuses", {"status": "look", "media_ids": [media["id"]]})
    assert refused.status_code == 422 and "held for review" in refused.json()["error"]
    assert not Post.objects.exists()


def test_another_users_media_is_not_found(ana_api, api_client, ben, make_token, art):
    media = _upload(ana_api, art, description="x").json()
    ben_api = api_client(make_token(ben))
    assert ben_api.get(f"/api/v1/media/{media['id']}").status_code == 404
    refused = ben_api.post("/api/v1/statuses", {"status": "mine now", "media_ids": [media["id"]]})
    assert refused.status_code == 422 and not Post.objects.exists()


@pytest.mark.parametrize(
    "make_body",
    [
        lambda art: {"file": b"not an image at all"},
        lambda art: {"description": "no file"},
        lambda art: {"focus": "2,0"},
        lambda art: {"focus": "left"},
    ],
)
def test_bad_uploads_store_nothing(ana_api, art, media_root, make_body):
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = make_body(art)
    if isinstance(body.get("file"), bytes):
        body["file"] = SimpleUploadedFile("x.jpg", body["file"], content_type="image/jpeg")
    elif "focus" in body:
        body["file"] = SimpleUploadedFile("x.jpg", art, content_type="image/jpeg")
    response = ana_api.call("post", "/api/v2/media", body)
    assert response.status_code == 422, response.content
    assert not MediaAsset.objects.exists() and _stored_files(media_root) == []


def test_write_media_scope_is_needed(api_client, ana, make_token, art):
    reader = api_client(make_token(ana, "read"))
    assert _upload(reader, art).status_code == 403
    assert not MediaAsset.objects.exists()
