"""In Chromium (issue 17): a held upload, the artist attaches a Krita file (or a timelapse) made
here, staff see the match score and release the work, and the work's post shows the "process
verified" mark; the timelapse's frames show on the project page when the artist chooses."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from test_browser import _login, _upload
from test_process import _png_bytes, kra_file
from test_services import ai_png

from kiln.core.procedural import artwork
from kiln.moderation.defaults import defaults_ensure
from kiln.provenance.models import ProcessEvidence, Screening

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_held_work_verified_by_a_krita_file(page: Page, live_server, make_user, tmp_path):
    from kiln.posts.services import post_create

    base = live_server.url
    artist = make_user("ana")
    staff = make_user("staffer")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    staff.groups.add(defaults_ensure()[0])  # the queue is moderation's
    asset = _upload(artist, ai_png())  # generator metadata: held
    assert Screening.objects.get(asset=asset).state == "held"
    post = post_create(author=artist, text="new piece", attachments=[(asset, "a painting")])
    # The Krita document: three layers, merged image = the same pixels as the upload.
    kra = tmp_path / "piece.kra"
    kra.write_bytes(kra_file(_png_bytes(artwork(5, 320, 240).convert("RGB"))))

    _login(page, base, "ana")
    page.goto(f"{base}/provenance/assets/{asset.pk}")
    page.get_by_role("link", name="Attach process evidence").click()
    page.get_by_label("Layered file").set_input_files(str(kra))
    page.get_by_role("button", name="Check and attach").click()
    expect(page.get_by_text("Process verified: the evidence matches this work")).to_be_visible()
    assert ProcessEvidence.objects.filter(asset=asset).count() == 1

    _login(page, base, "staffer")
    page.goto(f"{base}/moderation")
    card = page.locator(".provenance-review-appeal")
    expect(card.get_by_text("match score 1.00", exact=False).first).to_be_visible()
    expect(card.get_by_text("3 layers", exact=False)).to_be_visible()
    card.get_by_role("button", name="Release").click()
    expect(page.get_by_text("No open appeals.")).to_be_visible()
    assert Screening.objects.get(asset=asset).state == "released"

    page.context.clear_cookies()  # anyone can see the released work now, with its mark
    page.goto(f"{base}/@ana/posts/{post.pk}")
    expect(page.locator(".process-mark")).to_have_text("Process verified")


SHOTS = Path(os.environ.get("KILN_SHOTS_DIR", "/tmp/kiln-shots"))


def test_held_work_verified_by_a_timelapse_then_shown(page: Page, live_server, make_user, tmp_path):
    """The timelapse path: the artist appeals a hold with a video made here, staff see the
    frames' rising similarity and release the work, the artist chooses to show the frames,
    and a reader sees them under the work on its project page."""
    from test_timelapse import encode, painted_over_time

    from kiln.portfolio.services import ImageInput, ProjectInput, project_create, project_publish

    base = live_server.url
    artist = make_user("ana")
    staff = make_user("staffer")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    staff.groups.add(defaults_ensure()[0])
    asset = _upload(artist, ai_png())  # generator metadata: held
    video = tmp_path / "timelapse.mp4"
    video.write_bytes(encode(painted_over_time(artwork(5, 320, 240).convert("RGB"), 24)))

    _login(page, base, "ana")
    page.goto(f"{base}/provenance/assets/{asset.pk}/process")
    page.get_by_label("Or a timelapse video").set_input_files(str(video))
    page.get_by_role("button", name="Check and attach").click()
    expect(page.get_by_text("Process verified: the evidence matches this work")).to_be_visible()

    _login(page, base, "staffer")
    page.goto(f"{base}/moderation")
    card = page.locator(".provenance-review-appeal")
    expect(card.get_by_text("Timelapse video", exact=False).first).to_be_visible()
    expect(card.get_by_text("sampled frames", exact=False).first).to_be_visible()
    card.get_by_role("button", name="Release").click()
    expect(page.get_by_text("No open appeals.")).to_be_visible()

    project = project_create(
        owner=artist,
        data=ProjectInput(title="Kiln at dusk", images=[ImageInput(asset.pk, "a kiln")]),
    )
    project_publish(user=artist, project=project)
    _login(page, base, "ana")
    page.goto(f"{base}/provenance/assets/{asset.pk}/process")
    page.get_by_role("button", name="Show them on the work's page").click()
    expect(page.get_by_text("will show on the work's page")).to_be_visible()
    expect(page.get_by_role("button", name="Stop showing them")).to_be_visible()

    page.context.clear_cookies()
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1440, 1000), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{base}/@ana/projects/{project.pk}")
        stages = page.locator(".process-stages img")
        expect(stages).to_have_count(5)
        stages.last.scroll_into_view_if_needed()
        expect(stages.first).to_have_attribute("alt", "Work in progress, stage 1 of 5")
        page.wait_for_function(
            "[...document.querySelectorAll('.process-stages img')].every(i => i.complete && i.naturalWidth)"
        )
        page.locator(".process-stages").screenshot(path=str(SHOTS / f"stages-{width}.png"))
        page.screenshot(path=str(SHOTS / f"project-{width}.png"), full_page=True)
