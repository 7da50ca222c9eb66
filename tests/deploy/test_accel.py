"""X-Accel-Redirect rendition serving (KILN_MEDIA_ACCEL_PREFIX): Kiln checks, nginx sends."""

import pytest

from kiln.media.delivery import rendition_url
from tests.media import images

PREFIX = "/_kiln_media/"


@pytest.fixture
def accel(settings):
    settings.KILN_MEDIA_ACCEL_PREFIX = PREFIX


@pytest.mark.django_db
def test_rendition_answer_is_a_redirect_for_nginx_with_no_bytes(client, artist, upload, accel):
    rendition = upload(artist, images.jpeg(700, 500)).renditions.first()
    response = client.get(rendition_url(rendition))
    assert response.status_code == 200
    assert response.content == b""
    assert response["X-Accel-Redirect"] == PREFIX + rendition.key
    assert response["Content-Type"] == f"image/{rendition.format}"
    assert response["Cache-Control"].startswith("public, max-age=")
    assert "noimageindex" in response["X-Robots-Tag"]
    assert "Content-Length" not in response or response["Content-Length"] == "0"


@pytest.mark.django_db
def test_artist_who_allows_image_search_gets_index_flag(client, artist, upload, accel):
    artist.profile.allow_image_search = True
    artist.profile.save()
    rendition = upload(artist, images.jpeg(700, 500)).renditions.first()
    response = client.get(rendition_url(rendition))
    assert response["X-Accel-Redirect"] == f"{PREFIX}{rendition.key}?index=1"


@pytest.mark.django_db
def test_checks_still_refuse_before_any_redirect(client, artist, upload, accel):
    asset = upload(artist, images.jpeg(700, 500))
    rendition = asset.renditions.first()
    url = rendition_url(rendition)
    forged = url.split("/")
    forged[3] = "1-" + "0" * 20
    refused = client.get("/".join(forged))
    assert refused.status_code in (404, 410) and "X-Accel-Redirect" not in refused
    unknown = url.rsplit("/", 1)[0] + "/" + "0" * 40 + ".jpg"
    missing = client.get(unknown)
    assert missing.status_code in (404, 410) and "X-Accel-Redirect" not in missing


@pytest.mark.django_db
def test_off_by_default_kiln_streams_the_bytes(client, artist, upload):
    rendition = upload(artist, images.jpeg(700, 500)).renditions.first()
    response = client.get(rendition_url(rendition))
    assert "X-Accel-Redirect" not in response
    assert len(b"".join(response.streaming_content)) == rendition.bytes
