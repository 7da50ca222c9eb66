"""The portfolio end to end in Chromium: upload three images as a draft, reorder, set the
cover, publish, see it logged out, open the viewer, edit the title, delete it."""

import pytest
from playwright.sync_api import Page, expect

from kiln.media.models import MediaAsset
from kiln.portfolio.models import Project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLES = ["shipwreck.jpg", "the_scream.jpg", "woman-with-hat-matisse.jpg"]


def _log_in(page: Page, client, user, base: str) -> None:
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )


def _card_order(page: Page) -> list[int]:
    return [
        int(v)
        for v in page.locator("#image-list .image-card").evaluate_all(
            "cards => cards.map(c => c.dataset.assetId)"
        )
    ]


def test_upload_reorder_publish_view_edit_delete(
    page: Page, live_server, client, make_user, shared_dir, tmp_path, files_under
):
    base = live_server.url
    # Processing (and the re-render that points rights metadata at the project page on
    # publish) runs inline in these requests, on a shared two-core machine: allow for it.
    page.set_default_timeout(90_000)
    csp_errors = []

    def on_console(msg):
        # Our pages (editor, project page) must need no inline script or style. The profile
        # header belongs to the accounts app and is checked by its own tests.
        own_page = "/portfolio/" in page.url or "/projects/" in page.url
        if own_page and "Content Security Policy" in msg.text:
            csp_errors.append((page.url, msg.text))

    page.on("console", on_console)
    artist = make_user("vera")
    _log_in(page, client, artist, base)

    # 1. Three images at once, plus one bad file whose error must not lose the others.
    page.goto(f"{base}/portfolio/new")
    bogus = tmp_path / "notes.jpg"
    bogus.write_text("<html><body>not an image</body></html>")
    files = [str(shared_dir / "samples" / "art" / name) for name in SAMPLES]
    page.locator("#image-files").set_input_files([*files, str(bogus)])
    cards = page.locator("#image-list .image-card")
    expect(cards).to_have_count(3, timeout=60_000)
    expect(page.locator("#image-list .asset-state-ready")).to_have_count(3, timeout=60_000)
    error_row = page.locator(".upload-row.is-error")
    expect(error_row).to_have_count(1)
    expect(error_row).to_contain_text("notes.jpg")
    expect(error_row).to_contain_text("JPEG, PNG, WebP")
    uploaded = _card_order(page)
    assert sorted(uploaded) == sorted(
        MediaAsset.objects.filter(owner=artist).values_list("pk", flat=True)
    )

    page.get_by_label("Title").fill("Three borrowed masters")
    for index, card in enumerate(cards.all()):
        card.get_by_label("Alt text").fill(f"Sample painting number {index + 1}")

    # 2. Reorder with the keyboard-friendly buttons, set the cover, save a draft, publish.
    cards.nth(0).get_by_role("button", name="Move image later").click()
    expected = [uploaded[1], uploaded[0], uploaded[2]]
    assert _card_order(page) == expected
    cards.nth(2).get_by_role("button", name="Move image earlier").focus()
    page.keyboard.press("Enter")
    expected = [uploaded[1], uploaded[2], uploaded[0]]
    assert _card_order(page) == expected
    # Drag the first card by its preview to below the last one.
    last = cards.nth(2)
    box = last.bounding_box()
    cards.nth(0).locator(".asset-state").drag_to(
        last, target_position={"x": box["width"] / 2, "y": box["height"] - 5}
    )
    expected = [uploaded[2], uploaded[0], uploaded[1]]
    assert _card_order(page) == expected
    cards.nth(1).get_by_label("Cover").check()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    project = Project.objects.get(owner=artist)
    assert project.state == Project.State.DRAFT
    assert _card_order(page) == expected
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", name="Three borrowed masters")).to_be_visible()
    project.refresh_from_db()
    assert project.is_published
    assert list(project.images.values_list("asset_id", flat=True)) == expected
    assert project.cover.asset_id == expected[1]

    # 3. Logged out, the project is in the artist's portfolio grid, cover first.
    page.context.clear_cookies()
    page.goto(f"{base}/@vera")
    tile = page.locator(".project-tile").filter(has_text="Three borrowed masters")
    expect(tile).to_have_count(1)
    cover = tile.locator("img")
    expect(cover).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=cover.element_handle()
    )
    assert cover.evaluate("img => img.getAttribute('alt')") == ""
    tile.locator("a.tile-link").click()
    expect(page.get_by_role("heading", name="Three borrowed masters")).to_be_visible()

    # 4. The full-screen viewer: open, arrow keys, Escape.
    page.get_by_role("button", name="View image 1 of 3 full screen").click()
    viewer = page.locator("dialog#viewer")
    expect(viewer).to_be_visible()
    expect(viewer.locator(".viewer-count")).to_have_text("Image 1 of 3")
    page.wait_for_function(
        "() => { const i = document.querySelector('.viewer-image'); return i.complete && i.naturalWidth > 300; }"
    )
    assert viewer.locator(".viewer-image").get_attribute("alt") == "Sample painting number 3"
    page.keyboard.press("ArrowRight")
    expect(viewer.locator(".viewer-count")).to_have_text("Image 2 of 3")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    expect(viewer.locator(".viewer-count")).to_have_text("Image 3 of 3")
    # A swipe to the left (here with the mouse; pointer events treat touch the same way).
    page.mouse.move(800, 450)
    page.mouse.down()
    page.mouse.move(650, 455, steps=5)
    page.mouse.move(500, 460, steps=5)
    page.mouse.up()
    expect(viewer.locator(".viewer-count")).to_have_text("Image 1 of 3")
    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()

    # 5. Edit the title after publishing: the page says "Edited".
    _log_in(page, client, artist, base)
    page.goto(f"{base}/@vera/projects/{project.pk}")
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Title").fill("Three masters, retitled")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", name="Three masters, retitled")).to_be_visible()
    expect(page.get_by_text("Edited", exact=True)).to_be_visible()

    # 6. Delete: the project and every file of its images are gone.
    page.get_by_role("link", name="Delete").click()
    page.get_by_role("button", name="Delete project").click()
    expect(page.get_by_text("Project deleted")).to_be_visible()
    assert not Project.objects.exists()
    assert not MediaAsset.objects.exists()
    assert files_under() == []
    assert csp_errors == []
