"""Rendition responses: reservation headers, and noimageindex following the owner's consent."""

import pytest

from tests.shield.site import png

pytestmark = pytest.mark.django_db


@pytest.fixture
def rendition_path(make_user, django_capture_on_commit_callbacks):
    def make(**profile):
        from kiln.media.delivery import rendition_url
        from kiln.media.services import media_asset_create

        owner = make_user(profile.pop("username", "ana"), **profile)
        with django_capture_on_commit_callbacks(execute=True):
            asset = media_asset_create(owner=owner, upload=png(1, 400, 300))
        return rendition_url(asset.renditions.first())

    return make


def test_rendition_carries_noimageindex_without_consent(client, rendition_path):
    response = client.get(rendition_path(allow_image_search=False))
    assert response.status_code == 200 and response["Content-Type"].startswith("image/")
    assert response["X-Robots-Tag"] == "noai, noimageai, noimageindex"
    assert response["tdm-reservation"] == "1"


def test_rendition_drops_noimageindex_with_consent(client, rendition_path):
    response = client.get(rendition_path(allow_image_search=True))
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noai, noimageai"


def test_consent_lookup_is_cached(client, rendition_path, django_assert_max_num_queries):
    path = rendition_path(allow_image_search=True)
    client.get(path)
    with django_assert_max_num_queries(1):  # the view's own lookup only
        assert client.get(path)["X-Robots-Tag"] == "noai, noimageai"


def test_expired_or_bogus_rendition_urls_still_carry_headers(client):
    response = client.get("/media/r/1-0123456789abcdef0123/" + "a" * 40 + ".webp")
    assert response.status_code in (404, 410)
    assert response["X-Robots-Tag"] == "noai, noimageai"
