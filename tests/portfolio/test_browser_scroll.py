"""Infinite scroll on the Portfolio tab in Chromium: htmx appends pages as "Load more" comes
into view, every project once, and the new tiles join the justified rows."""

import pytest
from playwright.sync_api import Page, expect

from tests.portfolio.test_pagination import _projects

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_scrolling_loads_every_project_once(page: Page, live_server, make_user):
    artist = make_user("ivo")
    made = _projects(artist, 30)
    page.goto(f"{live_server.url}/@ivo?size=12")
    tiles = page.locator("#portfolio-grid .project-tile")
    expect(tiles).to_have_count(12)
    for _ in range(20):  # scroll down like a reader until the last page has come
        if tiles.count() == 30:
            break
        page.mouse.wheel(0, 2000)
        page.wait_for_timeout(150)
    expect(tiles).to_have_count(30)
    expect(page.locator("#portfolio-more a")).to_have_count(0)
    ids = tiles.evaluate_all("ts => ts.map(t => t.dataset.projectId)")  # ids pass 2**53
    assert ids == [str(p.pk) for p in made]
    # portfolio.js sized the appended tiles too (flex-grow from the aspect ratio, 96/64).
    assert tiles.nth(29).evaluate("t => t.style.flexGrow") == "1.5"


def test_load_more_from_the_keyboard_moves_focus_to_the_first_new_project(
    page: Page, live_server, make_user
):
    artist = make_user("ada")
    _projects(artist, 6)
    page.set_viewport_size({"width": 1000, "height": 400})
    page.goto(f"{live_server.url}/@ada?size=3")
    tiles = page.locator("#portfolio-grid .project-tile")
    expect(tiles).to_have_count(3)
    page.locator("#portfolio-more a").focus()  # as Tab would: it scrolls into view and loads
    expect(tiles).to_have_count(6)
    expect(tiles.nth(3).locator(".tile-link")).to_be_focused()


def test_a_long_portfolio_is_dragged_in_arrange_mode(page: Page, live_server, client, make_user):
    from kiln.portfolio.models import Project

    artist = make_user("eli")
    made = _projects(artist, 26)  # more than a page of 24
    client.force_login(artist)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.set_viewport_size({"width": 1600, "height": 2400})  # the whole grid on screen
    page.goto(f"{live_server.url}/@eli")
    expect(page.locator(".project-grid[data-sortable]")).to_have_count(0)
    page.get_by_role("link", name="arrange every project on one page").click()
    tiles = page.locator(".project-grid[data-sortable] .project-tile")
    expect(tiles).to_have_count(26)
    page.wait_for_load_state("networkidle")  # the (missing) images settled: no layout shift
    source = tiles.nth(2)  # "Work 2"
    target = tiles.nth(0)
    box = target.bounding_box()
    source.drag_to(target, target_position={"x": 5, "y": box["height"] / 2})
    expect(page.locator("[data-reorder-status]")).to_have_text("Order saved.")
    order = list(
        Project.objects.filter(owner=artist).order_by("position").values_list("title", flat=True)
    )
    assert order == ["Work 2", "Work 0", "Work 1"] + [p.title for p in made[3:]]
