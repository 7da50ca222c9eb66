"""In Chromium, the whole loop: a member reports a post as AI-generated; a moderator sees it
beside the screening findings, removes it with a reason; the author reads the statement of
reasons and appeals; a second moderator restores it; both sides are notified; the audit log
shows every step. With $KILN_SCREENSHOTS set, the queue is screenshotted there at 1440 and
390 px, with the report dialog and the case page."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.provenance.variants import WEBUI_PARAMS, png_with_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(browser, base: str, username: str):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(15000)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password", exact=True).fill("pw-Kiln-2026")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Profile")).to_be_visible()
    return page


def _shot(page, name: str, **options) -> None:
    """Screenshots only with $KILN_SCREENSHOTS set (they cost CI time), into that folder."""
    folder = os.environ.get("KILN_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), **options)


def _staff(user, group):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(group)


def test_report_remove_appeal_restore(browser, live_server, make_user, settings):
    from kiln.core.procedural import artwork
    from kiln.media.services import media_asset_create
    from kiln.moderation.defaults import defaults_ensure
    from kiln.posts.models import Post
    from kiln.posts.services import post_create

    settings.KILN_AI_POLICY = "label"  # published with a label, so members can see it
    moderators, admins = defaults_ensure()  # transaction=True flushed the seeded rows
    base = live_server.url
    author = make_user("ana")
    make_user("ben")
    _staff(make_user("mo"), moderators)
    _staff(make_user("max"), moderators)
    _staff(make_user("ada"), admins)
    image = png_with_text({"parameters": WEBUI_PARAMS}, im=artwork(5, 320, 240).convert("RGB"))
    asset = media_asset_create(owner=author, upload=image)
    post = post_create(
        author=author, text="Lighthouse study", attachments=[(asset, "A lighthouse")]
    )

    # 1. Ben reports the post as AI-generated, in the dialog.
    ben = _login(browser, base, "ben")
    ben.goto(f"{base}/@ana/posts/{post.pk}")
    ben.get_by_title("More").first.click()
    ben.get_by_role("link", name="Report").click()
    dialog = ben.get_by_role("dialog")
    dialog.get_by_label("AI-generated work", exact=True).check()
    dialog.get_by_label("No AI-generated work").check()
    dialog.get_by_label("Anything the moderators should know").fill("PNG says Stable Diffusion")
    _shot(ben, "moderation-report-dialog.png")
    dialog.get_by_role("button", name="Send report").click()
    expect(ben.get_by_text("Kiln received your report")).to_be_visible()

    # 2. Mo sees it in the queue, with the screening findings, and removes it with a reason.
    mo = _login(browser, base, "mo")
    mo.goto(f"{base}/moderation")
    expect(mo.get_by_role("link", name="Post by @ana")).to_be_visible()
    for width in (1440, 390):
        mo.set_viewport_size({"width": width, "height": 900})
        expect(mo.get_by_role("link", name="Post by @ana")).to_be_visible()  # both layouts
        _shot(mo, f"moderation-queue-{width}.png", full_page=True)
    mo.set_viewport_size({"width": 1280, "height": 900})
    mo.get_by_role("link", name="Post by @ana").click()
    expect(mo.get_by_text("Stable Diffusion WebUI").first).to_be_visible()
    expect(mo.get_by_text("PNG says Stable Diffusion")).to_be_visible()
    _shot(mo, "moderation-case-1280.png", full_page=True)
    mo.get_by_role("button", name="Assign to me").click()
    expect(mo.get_by_text("Assignee: @mo")).to_be_visible()
    mo.get_by_label("Content removed").check()
    mo.get_by_label("Rule broken").select_option(label="No AI-generated work")
    mo.get_by_label("Statement of reasons").fill("The PNG carries Stable Diffusion parameters.")
    mo.get_by_role("button", name="Take the decision").click()
    expect(mo.get_by_text("Done: content removed.")).to_be_visible()
    assert Post.objects.get(pk=post.pk).deleted_at is not None

    # 3. Ana reads the statement of reasons and appeals.
    ana = _login(browser, base, "ana")
    ana.goto(f"{base}/notifications")
    ana.get_by_role("link", name="Read the statement of reasons").click()
    expect(ana.get_by_text("The PNG carries Stable Diffusion parameters.")).to_be_visible()
    expect(ana.get_by_text("@ben")).to_have_count(0)  # never the reporter's identity
    ana.get_by_label("Why should this be reconsidered?").fill("I painted it; here is my process.")
    ana.get_by_role("button", name="Appeal").click()
    expect(ana.get_by_text("Your appeal was sent")).to_be_visible()

    # 4. Max, who did not take the decision, reverses it.
    mo.goto(f"{base}/moderation")
    expect(mo.get_by_text("another moderator must review the appeal")).to_be_visible()
    max_ = _login(browser, base, "max")
    max_.goto(f"{base}/moderation")
    expect(max_.get_by_text("I painted it; here is my process.")).to_be_visible()
    max_.get_by_role("button", name="Reverse and restore").click()
    expect(max_.get_by_text("Appeal decided.")).to_be_visible()
    assert Post.objects.get(pk=post.pk).deleted_at is None

    # 5. Both sides were told; the post is back.
    ben.goto(f"{base}/notifications")
    expect(ben.get_by_text("decided on your report")).to_be_visible()
    ben.goto(f"{base}/reports")
    expect(ben.get_by_text("Content removed")).to_be_visible()
    ana.goto(f"{base}/notifications")
    expect(ana.get_by_text("took a decision about your account")).to_have_count(2)
    ana.goto(f"{base}/@ana/posts/{post.pk}")
    expect(ana.get_by_text("Lighthouse study")).to_be_visible()

    # 6. The audit log shows the four steps.
    ada = _login(browser, base, "ada")
    ada.goto(f"{base}/moderation/audit")
    for verb in ("report.create", "action.remove", "appeal.create", "appeal.reverse"):
        expect(ada.get_by_role("cell", name=verb, exact=True)).to_be_visible()
