"""In Chromium: a held AI upload with its evidence, the appeal, the staff release; and a
repost answered with a takedown."""

import pytest
from playwright.sync_api import Page, expect
from test_services import _repost_of, ai_png, art_png

from kiln.moderation.defaults import defaults_ensure
from kiln.provenance.models import RepostMatch, Screening

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page: Page, base: str, username: str) -> None:
    page.set_default_timeout(20000)  # each upload ran the whole media pipeline just before
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password", exact=True).fill("pw-Kiln-2026")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Profile")).to_be_visible()


def _upload(owner, data):
    from kiln.media.services import media_asset_create

    return media_asset_create(owner=owner, upload=data)  # transaction=True: processed inline


def test_held_upload_appeal_and_release(page: Page, live_server, make_user):
    base = live_server.url
    artist = make_user("ana")
    staff = make_user("staffer")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    staff.groups.add(defaults_ensure()[0])  # the queue is moderation's
    asset = _upload(artist, ai_png())

    _login(page, base, "ana")
    page.goto(f"{base}/provenance/assets/{asset.pk}")
    expect(page.get_by_text("This image is held")).to_be_visible()
    expect(page.get_by_text("Stable Diffusion WebUI")).to_be_visible()
    expect(page.get_by_text("Steps: 28", exact=False)).to_be_visible()
    page.get_by_role("button", name="Send appeal").click()  # empty: the browser refuses
    expect(page.get_by_text("Your appeals")).to_have_count(0)
    page.get_by_label("Tell the reviewers how you made this image").fill("Painted in Krita")
    page.get_by_role("button", name="Send appeal").click()
    expect(page.get_by_text("Your appeal was sent")).to_be_visible()

    _login(page, base, "staffer")
    page.goto(f"{base}/moderation")
    expect(page.get_by_text("Painted in Krita")).to_be_visible()
    page.get_by_role("button", name="Release").click()
    expect(page.get_by_text("No open appeals.")).to_be_visible()
    assert Screening.objects.get(asset=asset).state == "released"


def test_repost_side_by_side_and_takedown(page: Page, live_server, make_user):
    base = live_server.url
    artist = make_user("ana")
    thief = make_user("bo")
    _upload(artist, art_png(seed=91))
    repost = _upload(thief, _repost_of(91))
    match = RepostMatch.objects.get(upload=repost)

    _login(page, base, "ana")
    page.goto(f"{base}/provenance/matches")
    page.get_by_role("link", name="Upload by @bo").click()
    expect(page.get_by_role("heading", name="Is this your work?")).to_be_visible()
    expect(page.get_by_role("img", name="Your original work")).to_be_visible()
    expect(page.get_by_role("img", name="The upload that looks like your work")).to_be_visible()
    page.get_by_role("button", name="This is my work: take it down").click()
    expect(page.get_by_text("Takedown requested")).to_be_visible()
    match.refresh_from_db()
    assert match.state == "takedown"
