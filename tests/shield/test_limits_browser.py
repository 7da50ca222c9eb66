"""Chromium (Playwright) as a person paging quickly through a portfolio: the default budgets
(shared by every process, with their burst) never refuse them (issue 16.2)."""

import time

import pytest

from tests.shield.site import build_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_opening_ten_projects_quickly_is_never_refused(make_user, live_server, page):
    site = build_site(make_user, images=10, projects=10, flat=(40, 90, 160))  # flat: fast to encode
    assert len(site.project_paths) == 10
    responses = []
    page.on("response", lambda r: responses.append((r.status, r.url)))
    started = time.monotonic()
    page.goto(live_server.url + site.profile_path, wait_until="load")
    loaded = []
    for path in site.project_paths:
        page.goto(live_server.url + path, wait_until="load")
        loaded += page.eval_on_selector_all(
            "img.kiln-img", "els => els.map(e => e.complete && e.naturalWidth > 0)"
        )
        page.go_back(wait_until="load")  # back to the portfolio, as people do
    elapsed = time.monotonic() - started
    refused = [(s, u) for s, u in responses if s in (403, 429)]
    images = [u for s, u in responses if "/media/" in u]
    print(
        f"\n[chromium] 10 projects in {elapsed:.1f} s: {len(responses)} responses, "
        f"{len(images)} images, refused {refused}"
    )
    assert refused == []
    assert len(loaded) >= 10 and all(loaded)
