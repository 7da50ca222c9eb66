"""An upload held by AI screening says so in the editor, with the way to see why and appeal."""

import pytest

from tests.provenance import variants

pytestmark = pytest.mark.django_db


def test_held_upload_links_to_its_findings(client, artist, django_capture_on_commit_callbacks):
    from kiln.media.services import media_asset_create

    with django_capture_on_commit_callbacks(execute=True):
        held = media_asset_create(owner=artist, upload=variants.jpeg_webui_usercomment())
    client.force_login(artist)
    html = client.get(f"/portfolio/uploads/{held.pk}/state").content.decode()
    assert "Held for review" in html
    assert f'href="/provenance/assets/{held.pk}"' in html
    assert client.get(f"/provenance/assets/{held.pk}").status_code == 200


def test_clean_upload_shows_no_notice(client, artist, make_asset):
    asset = make_asset(artist)
    client.force_login(artist)
    html = client.get(f"/portfolio/uploads/{asset.pk}/state").content.decode()
    assert "Ready" in html and "Held for review" not in html
