"""In Chromium: choose "Cloak this work", land on the job page, see the report and previews.

The job runs inline at commit (ImmediateBackend), so the page opens on a finished job: a
worker thread beside the live server would share SQLite's in-memory test database, whose
shared cache refuses concurrent writers ("table is locked"). The polling fragment itself is
covered in test_views.py."""

import pytest
from playwright.sync_api import Page, expect

from kiln.cloak.models import CloakJob

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_cloak_flow(
    page: Page,
    live_server,
    client,
    cloak_settings,
    artist,
    png_bytes,
):
    from kiln.media.services import media_asset_create

    asset = media_asset_create(owner=artist, upload=png_bytes)  # processed inline on commit
    page.set_default_timeout(120_000)
    client.force_login(artist)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/cloak/")
    form = page.locator(f"form.cloak-start[action$='/cloak/asset/{asset.pk}/start']")
    form.locator("select[name=intensity]").select_option("default")
    form.locator("button[type=submit]").click()
    expect(page.locator("#cloak-progress")).to_be_visible()
    expect(page.locator(".cloak-done")).to_be_visible()
    expect(page.locator(".cloak-shift")).not_to_be_empty()
    job = CloakJob.objects.get(asset=asset)
    assert job.state == CloakJob.State.DONE
    psnr = float(page.locator(".cloak-psnr").inner_text())
    assert psnr == pytest.approx(job.report["psnr"], abs=0.051)  # shown to one place
    # The four previews are real images, served to the owner.
    imgs = page.locator(".cloak-report img")
    expect(imgs).to_have_count(4)
    # Wait for the previews to finish loading before reading their sizes (a race, not a bug).
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.cloak-report img')).every(e => e.complete)"
    )
    widths = imgs.evaluate_all("els => els.map(e => e.naturalWidth)")
    assert all(w > 0 for w in widths)
