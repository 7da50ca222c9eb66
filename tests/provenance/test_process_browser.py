"""In Chromium (issue 17): a held upload, the artist attaches a Krita file made here, staff see
the match score and release the work, and the work's post shows the "process verified" mark."""

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
