"""Chromium (Playwright) as a person: browsing works, the watermark shows, the trap never does."""

import pytest

from tests.shield.site import build_site

pytestmark = [
    pytest.mark.browser,
    pytest.mark.external,
    pytest.mark.django_db(transaction=True),
]

FLAT = (40, 90, 160)
# Counts pixels in a corner region of the first project image that differ from the flat colour.
COUNT_MARKED = """([fx, fy, fw, fh, r, g, b]) => {
  const img = document.querySelector('img.kiln-img');
  const c = document.createElement('canvas');
  c.width = img.naturalWidth; c.height = img.naturalHeight;
  const ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const x = Math.floor(fx * c.width), y = Math.floor(fy * c.height);
  const d = ctx.getImageData(x, y, Math.floor(fw * c.width), Math.floor(fh * c.height)).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b) > 60) n++;
  }
  return n;
}"""


def visit(page, url, seen):
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    seen.append((response.status, url))
    return response


def test_person_browsing_is_unaffected_and_the_trap_is_invisible(make_user, live_server, page):
    site = build_site(make_user, images=4, projects=2)
    statuses = []
    page.on("response", lambda r: statuses.append((r.status, r.url)))
    visit(page, live_server.url + "/", [])
    visit(page, live_server.url + site.profile_path, [])
    loaded = []
    for path in site.project_paths:
        visit(page, live_server.url + path, [])
        loaded += page.eval_on_selector_all(
            "img.kiln-img", "els => els.map(e => e.complete && e.naturalWidth > 0)"
        )
    visit(page, live_server.url + "/protection", [])
    blocked = [(s, u) for s, u in statuses if s in (403, 429)]
    print(f"\n[chromium] responses={len(statuses)} blocked={blocked} images_loaded={sum(loaded)}")
    assert blocked == []
    if site.project_paths:
        assert loaded and all(loaded)

    trap = page.locator("a.shield-trap")
    assert trap.count() == 1
    assert not trap.is_visible()
    assert trap.bounding_box() is None
    assert trap.get_attribute("aria-hidden") == "true"
    assert trap.get_attribute("tabindex") == "-1"
    focused = []
    for _ in range(40):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement && document.activeElement.className"))
    assert "shield-trap" not in focused
    assert "Download every original" not in page.locator("body").inner_text()
    assert "Download every original" not in page.locator("body").aria_snapshot()


def test_watermark_appears_when_enabled(make_user, live_server, page):
    site = build_site(
        make_user,
        images=1,
        projects=1,
        flat=FLAT,
        watermark={"corner": "bottom-right", "opacity": 100},
    )
    assert site.project_paths, "the portfolio app is needed for project pages"
    page.goto(live_server.url + site.project_paths[0])
    page.wait_for_load_state("networkidle")
    marked_corner = page.evaluate(COUNT_MARKED, [0.6, 0.85, 0.4, 0.15, *FLAT])
    clean_corner = page.evaluate(COUNT_MARKED, [0.0, 0.0, 0.4, 0.15, *FLAT])
    print(
        f"\n[chromium watermark] marked pixels bottom-right={marked_corner} top-left={clean_corner}"
    )
    assert marked_corner > 50
    assert clean_corner == 0


def test_no_watermark_when_not_enabled(make_user, live_server, page):
    site = build_site(make_user, images=1, projects=1, flat=FLAT)
    page.goto(live_server.url + site.project_paths[0])
    page.wait_for_load_state("networkidle")
    assert page.evaluate(COUNT_MARKED, [0.6, 0.85, 0.4, 0.15, *FLAT]) == 0
