"""Issue 19's "done when", in a real Chromium: a visitor searches "watercolour", keeps the
artists open for commissions, opens one; then, logged in, autocompletes an @mention."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Kiln-2026"


def test_search_filter_open_artist_then_mention(page: Page, live_server, artist, tmp_path):
    base = live_server.url
    artist(
        "mira_ok",
        name="Mira Okafor",
        bio="Botanical illustrator working in watercolour.",
        location="Lagos",
        fields=["illustration"],
        status="commissions",
    )
    artist("ivo", name="Ivo Reis", bio="Watercolour landscapes.", status="unavailable")
    artist("ben", name="Ben Clay")

    # A visitor uses the box in the navigation.
    page.goto(f"{base}/discover")
    box = page.get_by_role("combobox", name="Search Kiln")
    box.fill("watercolour")
    box.press("Enter")
    expect(page).to_have_url(f"{base}/search?q=watercolour")
    results = page.locator(".search-artists")
    expect(results.get_by_text("Mira Okafor")).to_be_visible()
    expect(results.get_by_text("Ivo Reis")).to_be_visible()

    page.get_by_label("Availability").select_option(label="Open for commissions")
    page.get_by_role("button", name="Apply").click()
    expect(results.get_by_text("Ivo Reis")).to_have_count(0)
    shots = Path(os.environ.get("KILN_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.screenshot(path=str(shots / "search-1440.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.get_by_role("link", name="Search")).to_be_visible()  # the phone's bar
    page.screenshot(path=str(shots / "search-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    results.get_by_role("link", name="Mira Okafor").click()
    expect(page.get_by_role("heading", name="Mira Okafor")).to_be_visible()

    # Logged in, the composer suggests @mentions as they are typed.
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username or email").fill("ben")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Profile")).to_be_visible()
    page.goto(f"{base}/compose")
    text = page.get_by_label("What are you working on?")
    text.press_sequentially("Thanks @mi")
    listbox = page.get_by_role("listbox", name="Mentions and tags")
    option = listbox.get_by_role("option", name="Mira Okafor")
    expect(option).to_be_visible()
    # A textarea is a textbox, where aria-expanded is not allowed (axe-core: critical); it
    # points at its suggestions instead.
    expect(text).to_have_attribute("aria-controls", listbox.get_attribute("id"))
    expect(text).not_to_have_attribute("aria-expanded", "true")
    text.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    option_id = option.get_attribute("id")
    expect(text).to_have_attribute("aria-activedescendant", option_id)
    text.press("Enter")
    expect(text).to_have_value("Thanks @mira_ok ")
    expect(listbox).to_be_hidden()
    text.press_sequentially("and")
    page.get_by_role("button", name="Post").click()
    expect(page.locator(".post-text").get_by_role("link", name="@mira_ok")).to_be_visible()
