"""The author edits a posted image's alt text and removes another in a real Chromium, then
sees the post and its edit history say so."""

import io
import os

import pytest
from PIL import Image
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Kiln-2026"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 90), (180, 90, 40)).save(out, "PNG")
    return out.getvalue()


def test_author_edits_alt_text_and_removes_an_image(
    browser, live_server, make_user, make_asset, media_root
):
    from django.core.files.storage import storages

    from kiln.media.models import MediaAsset
    from kiln.posts import services

    base = live_server.url
    ana = make_user("ana", display_name="Ana Ink")
    post = services.post_create(
        author=ana,
        text="Two glaze tests",
        attachments=[
            (make_asset(ana), "Blue tile"),
            (make_asset(ana, (20, 160, 40)), "Green tile"),
        ],
    )
    removed = post.attachments.get(alt_text="Green tile").asset
    removed_files = [storages["private"].path(removed.original_key)] + [
        storages["default"].path(r.key) for r in removed.renditions.all()
    ]
    assert all(os.path.exists(path) for path in removed_files)

    page = browser.new_context().new_page()
    page.set_default_timeout(8000)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username or email").fill("ana")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Profile")).to_be_visible()

    page.goto(f"{base}/@ana/posts/{post.pk}/edit")
    page.get_by_label("Alt text for image 1", exact=True).fill("A square tile glazed deep blue")
    page.get_by_label("Remove image 1", exact=True).check()
    page.get_by_label("Remove image 2", exact=True).check()
    page.get_by_label("Remove image 1", exact=True).uncheck()
    # A new image is numbered after the one the post keeps, as the server's messages count.
    page.set_input_files(
        "#edit-images", files=[{"name": "new.png", "mimeType": "image/png", "buffer": _png()}]
    )
    page.get_by_label("Describe image 2 for people who can't see it").fill("A terracotta bowl")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(f"{base}/@ana/posts/{post.pk}")
    card = page.locator("article.post", has_text="Two glaze tests")
    expect(card.get_by_alt_text("A square tile glazed deep blue")).to_be_visible()
    expect(card.get_by_alt_text("A terracotta bowl")).to_be_visible()
    expect(card.locator("li.carousel-item")).to_have_count(2)
    expect(card.get_by_alt_text("Green tile")).to_have_count(0)

    card.get_by_role("link", name="edited").click()
    expect(page.get_by_role("heading", name="Edit history")).to_be_visible()
    expect(
        page.get_by_text("alt text of image 1 changed; 1 image removed; 1 image added")
    ).to_be_visible()
    earlier = page.locator("li.edit-version")
    expect(earlier).to_have_count(1)
    expect(earlier.get_by_text("2 images, described as:")).to_be_visible()
    expect(earlier.get_by_text("Green tile")).to_be_visible()

    assert not MediaAsset.objects.filter(pk=removed.pk).exists()
    assert not any(os.path.exists(path) for path in removed_files)  # no orphaned files
    assert MediaAsset.objects.filter(owner=ana).count() == 2


def test_muted_reply_is_collapsed_until_show(browser, live_server, make_user):
    """X-style: a muted account's reply stays in place behind a "Show" disclosure (no JS)."""
    from kiln.posts import services
    from kiln.social.services import mute_create

    base = live_server.url
    ana, ben, cat = make_user("ana"), make_user("ben"), make_user("cat")
    root = services.post_create(author=ana, text="Kiln opening tonight")
    reply = services.post_create(author=ben, text="Can I bring friends?", in_reply_to=root)
    services.post_create(author=cat, text="Me too please", in_reply_to=reply)
    mute_create(muter=ana, muted=ben)

    page = browser.new_context(java_script_enabled=False).new_page()
    page.set_default_timeout(8000)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username or email").fill("ana")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{base}/@ana/posts/{root.pk}")
    collapsed = page.locator("details.post-muted")
    expect(collapsed.get_by_text("This post is from an account you muted.")).to_be_visible()
    expect(page.get_by_text("Can I bring friends?")).to_be_hidden()
    expect(page.get_by_text("Me too please")).to_be_visible()  # the reply below keeps its place
    collapsed.get_by_text("Show").click()
    expect(page.get_by_text("Can I bring friends?")).to_be_visible()
