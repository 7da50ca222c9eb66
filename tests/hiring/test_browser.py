"""Hiring end to end in Chromium: a studio posts a job; an artist finds it with a filter and
applies with two projects; the studio shortlists and messages them; a client requests a
commission from the artist's sheet; the artist accepts and delivers; the client downloads
the file, and exiftool reads the licence and the data-mining prohibition from it.

With $KILN_SCREENSHOTS set, each page is screenshotted there at 1440 and 390 px."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from kiln.hiring import commission_services
from kiln.hiring.models import CommissionRequest, JobApplication, JobListing
from kiln.portfolio.models import Project
from tests.media.images import jpeg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _as(page: Page, user, base: str) -> None:
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )


def _shoot(page: Page, folder: Path | None, name: str) -> None:
    if folder is None:  # screenshots only when asked for: they cost CI time
        return
    for width, height in ((1440, 1000), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_job_application_commission_and_licensed_delivery(
    page: Page, live_server, make_user, tmp_path, exiftool
):
    base = live_server.url
    shots = Path(os.environ["KILN_SCREENSHOTS"]) if os.environ.get("KILN_SCREENSHOTS") else None
    if shots:
        shots.mkdir(parents=True, exist_ok=True)
    page.set_default_timeout(30_000)
    studio = make_user("northstudio", display_name="North Studio")
    artist = make_user("ana", display_name="Ana Ink")
    client_user = make_user("cleo", display_name="Cleo Client")
    for title in ("Harbour at dusk", "Fox in the snow", "Old sketchbook"):
        Project.objects.create(
            owner=artist, title=title, state="published", published_at=timezone.now()
        )

    # 1. The studio posts a job: draft, preview, publish.
    _as(page, studio, base)
    page.goto(f"{base}/jobs/new")
    page.get_by_label("Title", exact=True).fill("Storyboard artist")
    page.get_by_label("Studio or client").fill("North Studio")
    page.get_by_label("Description").fill(
        "Storyboards for a stop-motion series: twelve episodes, pencil on paper."
    )
    page.get_by_label("Storyboarding").check()
    page.get_by_label("Role type").select_option(label="Freelance")
    page.get_by_label("Where", exact=True).select_option(label="Remote")
    page.get_by_label("Pay from").fill("300")
    page.get_by_label("Pay up to").fill("450")
    page.get_by_label("Currency").fill("EUR")
    page.get_by_label("Pay period").select_option(label="per day")
    page.get_by_label("Closing date").fill((timezone.localdate() + timedelta(days=20)).isoformat())
    page.get_by_label("On Kiln").check()
    page.get_by_label("The work will be made by people").check()
    _shoot(page, shots, "job-form")
    page.get_by_role("button", name="Save and preview").click()
    expect(page.get_by_text("Preview: this draft is visible only to you.")).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published on the jobs board.")).to_be_visible()
    listing = JobListing.objects.get()

    # 2. The artist finds it with a filter and applies with two projects.
    _as(page, artist, base)
    page.goto(f"{base}/jobs")
    page.get_by_label("Field").select_option(label="Storyboarding")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(f"{base}/jobs?field=storyboarding&role_type=&workplace=&min_pay=")
    _shoot(page, shots, "jobs-board")
    page.get_by_role("link", name="Storyboard artist").click()
    _shoot(page, shots, "job-detail")
    page.get_by_role("link", name="Apply on Kiln").click()
    page.get_by_label("Harbour at dusk").check()
    page.get_by_label("Fox in the snow").check()
    page.get_by_label("Message to the studio").fill("I board for stop-motion; two projects.")
    page.get_by_role("button", name="Send application").click()
    expect(page.get_by_test_id("application-state")).to_have_text("New")
    application = JobApplication.objects.get()
    assert sorted(application.projects.values_list("title", flat=True)) == [
        "Fox in the snow",
        "Harbour at dusk",
    ]

    # 3. The studio shortlists and messages them.
    _as(page, studio, base)
    page.goto(f"{base}/jobs/{listing.pk}/applications")
    page.get_by_role("link", name="Ana Ink").click()
    page.get_by_role("button", name="Shortlist").click()
    expect(page.get_by_test_id("application-state")).to_have_text("Shortlisted")
    _shoot(page, shots, "application")
    page.get_by_role("button", name="Message Ana Ink").click()
    page.get_by_label("Message", exact=True).fill("Could you start on Monday?")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Could you start on Monday?")).to_be_visible()
    _as(page, artist, base)
    page.goto(f"{base}/")
    expect(page.get_by_label("1 unread conversations")).to_be_visible()
    page.goto(f"{base}/messages")
    _shoot(page, shots, "messages")

    # 4. A client requests a commission from the artist's sheet.
    commission_services.commission_sheet_update(
        artist=artist,
        status="open",
        slots=2,
        terms="Personal use only. No AI training, no NFTs.",
        payment_url="https://pay.example/ana",
    )
    commission_services.commission_tier_create(
        artist=artist,
        name="Ink portrait",
        description="One figure",
        price_from=80,
        currency="EUR",
        turnaround_days=10,
    )
    _as(page, client_user, base)
    page.goto(f"{base}/@ana/commissions")
    _shoot(page, shots, "profile-commissions")
    page.get_by_role("link", name="Request Ink portrait").click()
    page.get_by_label("Brief").fill("My two cats on a windowsill, ink with one accent colour.")
    page.get_by_label("Budget").fill("90")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_test_id("commission-state")).to_have_text("Requested")
    commission = CommissionRequest.objects.get()

    # 5. The artist accepts, starts and delivers.
    final = tmp_path / "cats.jpg"
    final.write_bytes(jpeg(800, 600))
    _as(page, artist, base)
    page.goto(f"{base}/commissions/{commission.pk}")
    page.get_by_label("Agreed price (EUR)").fill("90")
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_test_id("commission-state")).to_have_text("Accepted")
    page.get_by_role("button", name="Start work").click()
    page.get_by_label("Final files").set_input_files(str(final))
    page.get_by_role("button", name="Deliver").click()
    expect(page.get_by_test_id("commission-state")).to_have_text("Delivered")

    # 6. The client downloads the file; the licence is inside it.
    _as(page, client_user, base)
    page.goto(f"{base}/commissions/{commission.pk}")
    _shoot(page, shots, "commission")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download cats.jpg").click()
    saved = tmp_path / "downloaded.jpg"
    download_info.value.save_as(saved)
    tags = exiftool(saved.read_bytes())
    assert "Personal use only. No AI training, no NFTs." in tags["XMP-xmpRights:UsageTerms"]
    assert tags["XMP-plus:DataMining"].endswith("DMI-PROHIBITED-AIMLTRAINING")
    assert tags["XMP-plus:Licensor"][0]["LicensorName"] == "Ana Ink"
