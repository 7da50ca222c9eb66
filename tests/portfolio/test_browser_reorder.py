"""Arranging the portfolio in Chromium: drag a tile, then the keyboard alternative."""

import pytest
from playwright.sync_api import Page, expect

from kiln.portfolio import services
from kiln.portfolio.models import Project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _order(owner) -> list[str]:
    return list(
        Project.objects.filter(owner=owner).order_by("position").values_list("title", flat=True)
    )


def test_drag_and_keyboard_reorder(page: Page, live_server, client, make_user, make_asset):
    artist = make_user("nia")
    for n, title in enumerate(["First", "Second", "Third"]):
        project = services.project_create(
            owner=artist,
            data=services.ProjectInput(
                title=title,
                images=[services.ImageInput(asset_id=make_asset(artist, seed=n).pk)],
            ),
        )
        services.project_publish(user=artist, project=project)
    assert _order(artist) == ["Third", "Second", "First"]  # newest first
    client.force_login(artist)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/@nia")
    tiles = page.locator(".project-tile")
    expect(tiles).to_have_count(3)

    # Drag "First" (last) onto the first tile's left half: it becomes first.
    source = tiles.filter(has_text="First")
    target = tiles.nth(0)
    box = target.bounding_box()
    source.drag_to(target, target_position={"x": 5, "y": box["height"] / 2})
    expect(page.locator("[data-reorder-status]")).to_have_text("Order saved.")
    assert _order(artist) == ["First", "Third", "Second"]

    # Keyboard: focus "Move Third later" and press Enter (a plain form post).
    page.get_by_role("button", name="Move “Third” later").focus()
    page.keyboard.press("Enter")
    expect(tiles.nth(2)).to_contain_text("Third")
    assert _order(artist) == ["First", "Second", "Third"]


def test_mature_work_is_blurred_until_revealed(page: Page, live_server, make_user, make_asset):
    artist = make_user("ona")
    project = services.project_create(
        owner=artist,
        data=services.ProjectInput(
            title="Life room",
            is_mature=True,
            images=[
                services.ImageInput(asset_id=make_asset(artist).pk, alt_text="A charcoal figure")
            ],
        ),
    )
    services.project_publish(user=artist, project=project)
    page.goto(f"{live_server.url}/@ona/projects/{project.pk}")
    article = page.locator("article.project")
    expect(article).to_have_class("project is-blurred")
    blur = page.locator(".viewer-open img").evaluate("img => getComputedStyle(img).filter")
    assert "blur" in blur
    page.get_by_role("button", name="Show mature work").click()
    expect(article).to_have_class("project")
    assert (
        page.locator(".viewer-open img").evaluate("img => getComputedStyle(img).filter") == "none"
    )
    page.get_by_role("button", name="View image 1 of 1 full screen").click()
    expect(page.locator("dialog#viewer")).to_be_visible()
