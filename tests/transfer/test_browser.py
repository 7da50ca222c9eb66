"""Arriving and leaving in Chromium: a new artist uploads an Instagram archive of 12 posts
(3 carousels) in chunks, watches the import's progress, makes 4 of them projects and the rest
posts, sees the original dates, exports their data and opens the ZIP, deletes the account,
and after the grace period (run by the test's clock) nothing of theirs remains.

With $KILN_SCREENSHOTS set, each page is screenshotted there at 1440 and 390 px."""

import io
import json
import os
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from kiln.accounts.models import User
from kiln.media.models import MediaAsset
from kiln.portfolio.models import Project
from kiln.posts.models import Post
from kiln.transfer import imports
from kiln.transfer.models import InstagramImport
from kiln.transfer.tasks import transfer_sweep

from .archives import build_archive
from .helpers import files_under
from .test_purge import rows_pointing_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _as(page: Page, user, base: str) -> None:
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )


def _shoot(page: Page, folder: Path | None, name: str) -> None:
    if folder is None:
        return
    for width, height in ((1440, 1000), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_import_export_and_delete(
    page: Page, live_server, make_user, tmp_path, settings, monkeypatch, media_root
):
    base = live_server.url
    shots = Path(os.environ["KILN_SCREENSHOTS"]) if os.environ.get("KILN_SCREENSHOTS") else None
    if shots:
        shots.mkdir(parents=True, exist_ok=True)
    settings.VAR_DIR = tmp_path / "var"
    settings.KILN_IMPORT_CHUNK_BYTES = 64 * 1024  # several chunks, as a real upload would be
    # The import job is run below, by the test, so the page's progress can be watched.
    queued = []
    monkeypatch.setattr(imports, "enqueue_with_transaction", lambda task, **kw: queued.append(kw))
    archive = tmp_path / "instagram-export.zip"
    archive.write_bytes(build_archive(count=12, carousels=3))
    artist = make_user("mira", display_name="Mira Kiln")
    _as(page, artist, base)

    # 1. Upload: the archive goes up in chunks and opens the review. (The live server's first
    # request imports and compiles everything: over 5 s on a loaded machine.)
    page.goto(f"{base}/settings/data", timeout=60_000)
    _shoot(page, shots, "your-data")
    page.get_by_role("link", name="Import from Instagram").click()
    expect(page.get_by_text("Nothing is sent to or fetched from Instagram.")).to_be_visible()
    _shoot(page, shots, "instagram-upload")
    page.set_input_files("#ig-file", str(archive))
    page.get_by_role("button", name="Upload and read").click()
    expect(page.get_by_test_id("ig-item")).to_have_count(12, timeout=20_000)
    _shoot(page, shots, "instagram-review")

    # 2. Review: everything as posts, then the three carousels and one more as projects.
    page.get_by_role("button", name="All as posts").click()
    selects = page.locator(".ig-item select")
    for i in range(4):
        selects.nth(i).select_option("project")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_test_id("import-count")).to_have_text("0 of 12")
    assert len(queued) == 1 and not Post.objects.exists()

    # 3. The job runs; the page follows it (htmx polls the progress).
    def watch(item):
        if item.position == 5:
            expect(page.get_by_test_id("import-count")).to_have_text("6 of 12", timeout=8000)
            _shoot(page, shots, "instagram-progress")

    batch = InstagramImport.objects.get(owner=artist)
    assert imports.instagram_import_process(batch_id=batch.pk, after_item=watch)
    expect(page.get_by_text("Done.")).to_be_visible(timeout=8000)
    _shoot(page, shots, "instagram-done")
    assert Project.objects.filter(owner=artist, state="published").count() == 4
    assert Post.objects.filter(author=artist).count() == 8

    # 4. The original dates show on the work.
    project = Project.objects.filter(owner=artist).order_by("created_on").first()
    page.goto(f"{base}/@mira/projects/{project.pk}")
    expect(page.get_by_text("12 Feb 2019").first).to_be_visible()
    expect(page.get_by_text("Originally posted on Instagram on 12 February 2019")).to_be_visible()
    _shoot(page, shots, "imported-project")
    post = Post.objects.filter(author=artist).order_by("created_at").first()
    page.goto(f"{base}/@mira/posts/{post.pk}")
    expect(page.get_by_text("Originally posted on Instagram on").first).to_be_visible()
    assert post.created_at.year == 2019

    # 5. Export: made in the background (inline here), then downloaded and opened.
    page.goto(f"{base}/settings/data")
    page.get_by_role("button", name="Make an export").click()
    link = page.locator(".export-list a[download]")
    expect(link).to_be_visible()
    _shoot(page, shots, "your-data-export-ready")
    with page.expect_download() as download:
        link.click()
    zf = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert len([n for n in zf.namelist() if n.startswith("originals/")]) == 18
    assert len(json.loads(zf.read("posts.json"))) == 8
    assert len(json.loads(zf.read("outbox.json"))["orderedItems"]) == 8
    assert "Mira Kiln" in zf.read("index.html").decode()

    # 6. Delete, with the password; the account is hidden at once.
    page.goto(f"{base}/settings/data")
    page.get_by_label("Your password").fill("pw-Kiln-2026")
    page.get_by_label("I understand").check()
    _shoot(page, shots, "your-data-delete")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("Your account will be deleted on")).to_be_visible()
    assert page.goto(f"{base}/@mira").status == 404

    # 7. After the grace period, by the test's clock: nothing of theirs remains.
    assert files_under(media_root)
    assert transfer_sweep(now=timezone.now() + timedelta(days=31)) == 1
    assert not User.objects.filter(pk=artist.pk).exists()
    assert rows_pointing_at(artist.pk) == {}
    assert files_under(media_root) == set()
    assert not MediaAsset.objects.exists()


def _log_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password", exact=True).fill("pw-Kiln-2026")
    page.get_by_role("button", name="Log in").click()


def test_cancel_in_grace_then_a_held_deletion_and_the_replies_left(
    page: Page, live_server, make_user, media_root
):
    """Delete, log in during the grace period and cancel; delete again under a legal hold
    (the artist sees only "pending", staff see the hold); lift it; other people's replies
    stay, "in reply to a deleted account"."""
    from kiln.moderation.services_holds import legal_hold_place
    from kiln.posts.services import post_create
    from kiln.transfer import services
    from tests.moderation.conftest import _staff

    base = live_server.url
    shots = Path(os.environ["KILN_SCREENSHOTS"]) if os.environ.get("KILN_SCREENSHOTS") else None
    if shots:
        shots.mkdir(parents=True, exist_ok=True)
    mira = make_user("mira", display_name="Mira Kiln")
    ben = make_user("ben", display_name="Ben Okafor")
    mod = _staff(make_user("mod"), "Moderators")
    drawing = post_create(author=mira, text="A kiln at dusk, charcoal")
    reply = post_create(author=ben, text="The smoke is wonderful here.", in_reply_to=drawing)

    # Delete, then log in inside the grace period: the page offers to cancel.
    services.account_delete_request(user=mira, password="pw-Kiln-2026")
    _log_in(page, base, "mira")
    expect(
        page.get_by_role("heading", name="Your account is scheduled for deletion")
    ).to_be_visible()
    _shoot(page, shots, "deletion-pending-grace")
    page.get_by_role("button", name="Cancel the deletion and log in").click()
    expect(page.get_by_text("Welcome back: your account will not be deleted.")).to_be_visible()
    assert User.objects.get(pk=mira.pk).is_active

    # Delete again; staff place a legal hold; the grace period ends.
    services.account_delete_request(user=mira, password="pw-Kiln-2026")
    hold = legal_hold_place(moderator=mod, account=mira, reason="Preservation order 15 O 123/26")
    later = timezone.now() + timedelta(days=31)
    assert transfer_sweep(now=later) == 1
    _log_in(page, base, "mira")
    expect(page.get_by_text("can no longer be cancelled")).to_be_visible()
    expect(page.get_by_text("legal")).to_have_count(0)
    _shoot(page, shots, "deletion-pending-held")
    _as(page, mod, base)
    page.goto(f"{base}/moderation?type=holds")
    expect(page.get_by_text("due, waiting for this hold")).to_be_visible()
    _shoot(page, shots, "moderation-queue-holds")
    page.goto(f"{base}/moderation/holds")
    _shoot(page, shots, "moderation-holds")
    page.get_by_placeholder("Why it is lifted").fill("Order withdrawn")
    page.get_by_role("button", name="Lift the hold").click()
    expect(page.get_by_text("The hold on @mira is lifted.")).to_be_visible()
    hold.refresh_from_db()
    assert not hold.is_active
    assert transfer_sweep(now=later + timedelta(minutes=5)) == 1
    assert files_under(media_root) == set() and rows_pointing_at(mira.pk) == {}

    # Ben's reply stays, and says what it answered.
    page.context.clear_cookies()
    page.goto(f"{base}/@ben/posts/{reply.pk}")
    expect(
        page.get_by_text("This post was removed when its author deleted their account.")
    ).to_be_visible()
    expect(page.get_by_text("In reply to a deleted account")).to_be_visible()
    expect(page.get_by_text("The smoke is wonderful here.").first).to_be_visible()
    expect(page.get_by_text("Mira Kiln")).to_have_count(0)
    _shoot(page, shots, "reply-to-deleted-account")
