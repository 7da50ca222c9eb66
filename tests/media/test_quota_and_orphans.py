"""Issue 25, point 9: a refused compose leaves no file behind; each account has a quota."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kiln.media.models import MediaAsset
from kiln.posts.models import Post
from tests.media import images
from tests.media.conftest import files_under


def _image(data=None):
    return SimpleUploadedFile("art.png", data or images.png(), content_type="image/png")


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["quote", "in_reply_to", "project"])
def test_compose_refused_after_its_image_was_checked_leaves_no_file(
    client, artist, media_root, field
):
    client.force_login(artist)
    for _ in range(3):
        form = {"text": "hi", "images": _image(), "alt_0": "a", field: "999999999"}
        response = client.post("/compose", form)
        assert response.status_code == 400
    assert Post.objects.count() == 0 and MediaAsset.objects.count() == 0
    assert files_under(media_root) == []


@pytest.mark.django_db
def test_upload_past_the_quota_is_refused_plainly(client, artist, media_root, settings):
    first = images.png(64, 48)
    settings.KILN_MEDIA_QUOTA_BYTES = len(first) + 100
    client.force_login(artist)
    assert client.post("/media/upload", {"file": _image(first)}).status_code == 201
    stored = files_under(media_root)
    response = client.post("/media/upload", {"file": _image(images.png(60, 40))})
    assert response.status_code == 400
    assert "Your storage is full" in response.json()["error"]
    assert MediaAsset.objects.count() == 1 and files_under(media_root) == stored
    settings.KILN_MEDIA_QUOTA_BYTES = 0  # switched off
    assert client.post("/media/upload", {"file": _image(images.png(60, 40))}).status_code == 201
