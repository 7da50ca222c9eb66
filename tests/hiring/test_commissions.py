"""Commissions: the sheet, requests through their states, references and licensed delivery."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kiln.core.access import AccessDenied
from kiln.hiring import commission_services as services
from kiln.hiring.models import CommissionDelivery, CommissionRequest
from kiln.notifications.models import Notification
from kiln.social.services import block_create
from tests.media.conftest import files_under
from tests.media.images import jpeg, png


def _file(data=None, name="final.png"):
    return SimpleUploadedFile(name, data or png(), content_type="image/png")


@pytest.fixture
def sheet(artist):
    services.commission_sheet_update(
        artist=artist,
        status="open",
        slots=1,
        terms="Personal use. No AI training, no NFTs.",
        payment_url="https://pay.example/ana",
    )
    return services.commission_tier_create(
        artist=artist,
        name="Portrait",
        description="Head and shoulders",
        price_from=120,
        currency="eur",
        turnaround_days=14,
    )


@pytest.fixture
def make_request(artist, client_user, sheet, django_capture_on_commit_callbacks):
    def make(client=None, references=()):
        with django_capture_on_commit_callbacks(execute=True):
            return services.commission_request_create(
                client=client or client_user,
                artist=artist,
                tier_id=sheet.pk,
                brief="A portrait of my cat as a medieval knight, in ink.",
                budget=150,
                wished_date=timezone.localdate() + timedelta(days=30),
                references=references,
            )

    return make


def test_full_lifecycle_with_timestamps_and_notifications(artist, client_user, make_request):
    request = make_request()
    assert request.state == "requested" and request.currency == "EUR"
    assert request.licence_terms == "Personal use. No AI training, no NFTs."
    request = services.commission_request_accept(artist=artist, request=request, agreed_price=140)
    assert request.agreed_price == 140 and request.accepted_at is not None
    request = services.commission_request_start(artist=artist, request=request)
    request = services.commission_request_deliver(artist=artist, request=request, files=[_file()])
    assert request.state == "delivered" and request.delivered_at is not None
    request = services.commission_request_complete(client=client_user, request=request)
    assert request.state == "completed" and request.completed_at is not None
    told = Notification.objects.filter(kind="commission_update")
    assert told.filter(recipient=artist).count() == 2  # requested, completed
    assert told.filter(recipient=client_user).count() == 3  # accepted, started, delivered


def test_illegal_transitions_are_refused(artist, client_user, third, make_request):
    request = make_request()
    with pytest.raises(ValidationError, match="can't be delivered"):
        services.commission_request_deliver(artist=artist, request=request, files=[_file()])
    with pytest.raises(ValidationError):
        services.commission_request_start(artist=artist, request=request)
    with pytest.raises(ValidationError):
        services.commission_request_complete(client=client_user, request=request)
    with pytest.raises(AccessDenied):  # the client can't accept their own request
        services.commission_request_accept(artist=client_user, request=request)
    for action in (
        lambda: services.commission_request_accept(artist=third, request=request),
        lambda: services.commission_request_decline(artist=third, request=request),
        lambda: services.commission_request_cancel(user=third, request=request),
    ):
        with pytest.raises(AccessDenied):
            action()
    request.refresh_from_db()
    assert request.state == "requested" and request.accepted_at is None
    assert CommissionDelivery.objects.count() == 0


def test_full_sheet_waitlists_and_closed_sheet_refuses(artist, client_user, third, make_request):
    first = make_request()
    services.commission_request_accept(artist=artist, request=first)
    second = make_request(client=third)
    assert second.state == "waitlisted"
    with pytest.raises(ValidationError, match="No open slot"):
        services.commission_request_accept(artist=artist, request=second)
    services.commission_sheet_update(artist=artist, status="closed", slots=1, terms="x")
    with pytest.raises(ValidationError, match="not taking commissions"):
        make_request()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"brief": "cat"}, "at least 20"),
        ({"budget": None}, "budget"),
        ({"wished_date": timezone.localdate() - timedelta(days=1)}, "in the past"),
        ({"tier_id": None}, "Pick one"),
    ],
)
def test_bad_requests_write_nothing(artist, client_user, sheet, media_root, overrides, message):
    fields = {
        "client": client_user,
        "artist": artist,
        "tier_id": sheet.pk,
        "brief": "A portrait of my cat as a medieval knight.",
        "budget": 100,
        "wished_date": None,
        "references": [_file()],
    }
    fields.update(overrides)
    with pytest.raises(ValidationError, match=message):
        services.commission_request_create(**fields)
    assert CommissionRequest.objects.count() == 0 and files_under(media_root) == []


def test_six_references_or_a_bad_file_store_nothing(make_request, media_root):
    with pytest.raises(ValidationError, match="at most 5"):
        make_request(references=[_file() for _ in range(6)])
    bad = SimpleUploadedFile("x.png", b"GIF89a not really", content_type="image/png")
    with pytest.raises(ValidationError):
        make_request(references=[_file(), bad])
    assert CommissionRequest.objects.count() == 0 and files_under(media_root) == []


def test_blocked_client_cannot_request_and_a_block_ends_the_commission(
    artist, client_user, make_request
):
    request = make_request()
    block_create(blocker=artist, blocked=client_user)
    with pytest.raises(AccessDenied):
        make_request()
    with pytest.raises(AccessDenied, match="blocked"):
        services.commission_request_accept(artist=artist, request=request)


def test_delivery_carries_the_licence_and_a_signed_manifest(
    artist, client_user, make_request, exiftool
):
    from django.core.files.storage import storages

    request = make_request()
    services.commission_request_accept(artist=artist, request=request)
    services.commission_request_start(artist=artist, request=request)
    services.commission_request_deliver(
        artist=artist, request=request, files=[_file(jpeg(320, 200), "final.jpg")]
    )
    delivery = CommissionDelivery.objects.get()
    assert delivery.filename == "final.jpg" and delivery.c2pa_signed
    with storages["private"].open(delivery.file_key) as handle:
        tags = exiftool(handle.read())
    assert "Personal use. No AI training, no NFTs." in tags["XMP-xmpRights:UsageTerms"]
    assert tags["XMP-plus:DataMining"].endswith("DMI-PROHIBITED-AIMLTRAINING")
    assert tags["XMP-plus:Licensor"][0]["LicensorName"] == "Ana Ink"
    assert tags["XMP-plus:Licensee"][0]["LicenseeName"] == "Cleo Client"
    assert tags["JUMBF:JUMDLabel"] == "c2pa"


def test_c2pa_manifest_validates_and_repeats_the_terms():
    from kiln.hiring.licence import Licence, licensed_file

    licence = Licence("Ana Ink", "http://x/@ana", "Cleo", "Personal use only.", 2026)
    signed = licensed_file(png(), fmt="png", licence=licence)
    state, store = _read_png(signed.data)
    assert state in ("Valid", "Trusted")
    manifest = store["manifests"][store["active_manifest"]]
    labels = {a["label"]: a["data"] for a in manifest["assertions"]}
    assert labels["cawg.training-mining"]["entries"]["cawg.ai_training"]["use"] == "notAllowed"
    assert "Personal use only." in labels["stds.schema-org.CreativeWork"]["usageInfo"]


def _read_png(data: bytes):
    import io
    import json

    import c2pa

    reader = c2pa.Reader("image/png", io.BytesIO(data))
    return reader.get_validation_state(), json.loads(reader.json())


def test_tier_examples_come_from_the_artists_own_published_work(
    artist, third, make_project, django_capture_on_commit_callbacks
):
    from kiln.media.services import media_asset_create
    from kiln.portfolio.models import ProjectImage

    def image_of(owner, state="published"):
        with django_capture_on_commit_callbacks(execute=True):
            asset = media_asset_create(owner=owner, upload=png())
        return ProjectImage.objects.create(project=make_project(owner, state=state), asset=asset)

    mine, theirs, draft = image_of(artist), image_of(third), image_of(artist, state="draft")
    fields = dict(name="Sketch", description="", price_from=20, currency="EUR", turnaround_days=3)
    for bad in (theirs, draft):
        with pytest.raises(ValidationError, match="your own published"):
            services.commission_tier_create(artist=artist, example_image_ids=[bad.pk], **fields)
    tier = services.commission_tier_create(artist=artist, example_image_ids=[mine.pk], **fields)
    assert list(tier.examples.all()) == [mine]
