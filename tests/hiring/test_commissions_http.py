"""Commissions over HTTP: the profile tab, the request form, and who may see references and
download deliveries (the client alone)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kiln.hiring import commission_services as services
from kiln.hiring.models import CommissionDelivery, CommissionReference, CommissionRequest
from kiln.social.services import block_create
from tests.media.images import png


def _png(name="ref.png"):
    return SimpleUploadedFile(name, png(), content_type="image/png")


@pytest.fixture
def delivered(client, artist, client_user, django_capture_on_commit_callbacks):
    """A request made through the form (one reference), accepted, started and delivered."""
    services.commission_sheet_update(artist=artist, status="open", slots=2, terms="Personal use.")
    tier = services.commission_tier_create(
        artist=artist,
        name="Sketch",
        description="",
        price_from=40,
        currency="EUR",
        turnaround_days=7,
    )
    client.force_login(client_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/commissions/request/{artist.username}",
            {
                "tier": str(tier.pk),
                "brief": "A fox reading under a lamp, warm light.",
                "budget": "60",
                "references": [_png()],
            },
        )
    request = CommissionRequest.objects.get()
    assert response["Location"] == f"/commissions/{request.pk}"
    client.force_login(artist)
    for action in ("accept", "start"):
        client.post(f"/commissions/{request.pk}/{action}", {"agreed_price": "60"})
    client.post(f"/commissions/{request.pk}/deliver", {"files": [_png("fox.png")]})
    request.refresh_from_db()
    assert request.state == "delivered" and request.agreed_price == 60
    client.logout()
    return request


def _urls(request):
    asset_id = CommissionReference.objects.get(request=request).asset_id
    delivery = CommissionDelivery.objects.get(request=request)
    return {
        "page": f"/commissions/{request.pk}",
        "reference": f"/commissions/{request.pk}/references/{asset_id}",
        "file": f"/commissions/{request.pk}/files/{delivery.pk}",
    }


def test_the_client_sees_everything_and_downloads_the_file(client, client_user, delivered):
    client.force_login(client_user)
    urls = _urls(delivered)
    page = client.get(urls["page"])
    assert b"Payment is outside Kiln" in page.content and b"Download fox.png" in page.content
    assert client.get(urls["reference"])["Cache-Control"] == "private, no-store"
    download = client.get(urls["file"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="fox.png"')
    assert b"DMI-PROHIBITED-AIMLTRAINING" in b"".join(download.streaming_content)


def test_the_artist_sees_references_but_is_not_served_the_delivery(client, artist, delivered):
    client.force_login(artist)
    urls = _urls(delivered)
    assert client.get(urls["page"]).status_code == 200
    assert client.get(urls["reference"]).status_code == 200
    assert client.get(urls["file"]).status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "third", "staff", "blocked"])
def test_nobody_else_gets_the_request_references_or_files(
    client, artist, client_user, third, staff, delivered, who
):
    urls = _urls(delivered)
    if who == "third":
        client.force_login(third)
    elif who == "staff":
        client.force_login(staff)
    elif who == "blocked":
        block_create(blocker=artist, blocked=client_user)
        client.force_login(client_user)
    for name, url in urls.items():
        response = client.get(url)
        expected = 302 if who == "anonymous" else 404
        assert response.status_code == expected, (who, name)
    response = client.post(f"/commissions/{delivered.pk}/complete")
    delivered.refresh_from_db()
    assert delivered.state == "delivered"


def test_profile_tab_shows_the_sheet_and_an_illegal_step_is_a_clear_message(
    client, artist, client_user, delivered
):
    page = client.get(f"/@{artist.username}/commissions")
    assert page.status_code == 200
    assert b"Sketch" in page.content and b"Personal use." in page.content
    client.force_login(artist)
    response = client.post(f"/commissions/{delivered.pk}/accept", follow=True)
    assert b"can&#x27;t be accepted" in response.content
