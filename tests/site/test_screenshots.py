"""The pages issue 23 reshaped, in Chromium at a desktop (1440 px) and a phone (390 px) width:
no horizontal overflow, nothing overlapping, every image with width and height, no CSP
violation, and a phone's first view of Discover under 1 MB. Screenshots go to
$KILN_SCREENSHOTS (default: var/screenshots/ in the checkout) for a person to look at."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page

from kiln.insights.services import views_flush

from .gallery import VIEWPORTS, gallery, gallery_pages, log_in, open_page  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Collects CSP violations the page reports to itself (inline script or style, foreign hosts).
CSP_LISTENER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""
# Overlap: the boxes of visible controls and of runs of text, compared pairwise. A box may sit
# inside its own ancestor (a label in its button); anything else that intersects by more than
# a 2 px hairline is a layout fault. Text is measured by its glyph runs (a Range), not by its
# element's box, so a wide paragraph beside a narrow button is not a false alarm.
PAGE_CHECK = """() => {
  const visible = el => el.checkVisibility({opacityProperty: true, visibilityProperty: true});
  // A modal dialog (the viewer) makes the rest of the page inert: only what is in it counts.
  const root = document.querySelector('dialog[open]:modal') || document.body;
  const boxes = [];
  const add = (node, el, rect, kind) => {
    if (rect.width < 3 || rect.height < 3) return;  // hairlines
    // Visually hidden (labels kept for screen readers): a 1 px box, clipped. Its text's own
    // Range still measures the whole word, so the element's box decides.
    const own = el.getBoundingClientRect();
    if (own.width < 3 || own.height < 3) return;
    const style = getComputedStyle(el);
    if ((style.clip && style.clip !== 'auto') || style.clipPath.startsWith('inset(50%')) return;
    boxes.push({node, el, kind, r: rect});
  };
  const interactive = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]';
  for (const el of root.querySelectorAll(interactive)) {
    if (visible(el)) add(el, el, el.getBoundingClientRect(), 'control');
  }
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    const el = t.parentElement;
    if (!t.textContent.trim() || !el || !visible(el)) continue;
    if (el.closest('script, style, template, noscript, svg')) continue;
    const range = document.createRange();
    range.selectNodeContents(t);
    add(t, el, range.getBoundingClientRect(), 'text');
  }
  // Fixed and sticky bars (the phone's tab bar) float over content that scrolls under them
  // by design: only boxes in the same layer are compared.
  const layer = el => {
    for (let e = el; e; e = e.parentElement) {
      const position = getComputedStyle(e).position;
      if (position === 'fixed' || position === 'sticky') return e;
    }
    return null;
  };
  for (const b of boxes) b.layer = layer(b.el);
  const overlaps = [];
  const inset = 2;
  const describe = b => (b.kind === 'text' ? '"' + b.node.textContent.trim().slice(0, 30) + '" in ' : '')
    + b.el.tagName.toLowerCase() + (b.el.className && typeof b.el.className === 'string'
      ? '.' + b.el.className.trim().split(/\\s+/).join('.') : '');
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.kind === 'text' && b.kind === 'text' && a.el === b.el) continue;
      if (a.el.contains(b.node) || b.el.contains(a.node) || a.layer !== b.layer) continue;
      const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
      const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
      if (w > inset && h > inset) overlaps.push(describe(a) + ' x ' + describe(b));
    }
  }
  return {
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    overlaps: overlaps.slice(0, 10),
    unsized: [...document.images].filter(i => !i.getAttribute('width') || !i.getAttribute('height'))
      .map(i => i.currentSrc || i.src),
    csp: window.__csp,
  };
}"""


def _screens_dir() -> Path:
    default = Path(settings.BASE_DIR) / "var" / "screenshots"
    path = Path(os.environ.get("KILN_SCREENSHOTS") or default)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _bytes_received(page: Page, action) -> int:
    """All bytes that crossed the network for `action`, as Chromium counts them (headers and
    bodies, after compression), with its cache off: a first visit."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    received = {}
    cdp.on(
        "Network.loadingFinished",
        lambda e: received.__setitem__(e["requestId"], e["encodedDataLength"]),
    )
    action()
    cdp.detach()
    return sum(received.values())


def test_pages_fit_both_viewports(page: Page, live_server, client, make_user, gallery):  # noqa: F811
    mira, ben, projects = gallery
    newcomer = make_user("newbie", display_name="Noor")
    base = live_server.url
    page.set_default_timeout(30_000)
    page.add_init_script(CSP_LISTENER)
    console_csp = []
    page.on(
        "console",
        lambda m: console_csp.append(m.text) if "Content Security Policy" in m.text else None,
    )
    shots = _screens_dir()
    views_flush()
    pages = gallery_pages(mira, ben, projects) + [("first-run", newcomer, "/", False)]
    problems = []
    written = []
    for label, (width, height) in VIEWPORTS.items():
        page.set_viewport_size({"width": width, "height": height})
        for name, viewer, path, open_viewer in pages:
            log_in(page, client, viewer, base)
            open_page(page, base, path, open_viewer)
            found = page.evaluate(PAGE_CHECK)
            shot = shots / f"{name}-{label}.png"
            page.screenshot(path=str(shot), full_page=not open_viewer)
            written.append(shot)
            if found["overflow"] > 0 or found["overlaps"] or found["unsized"] or found["csp"]:
                problems.append((name, label, found))
        # The project page's stage follows the theme: looked at in dark mode too.
        page.emulate_media(color_scheme="dark")
        log_in(page, client, ben, base)
        open_page(page, base, f"/@mira/projects/{projects[0].pk}", False)
        page.screenshot(path=str(shots / f"project-dark-{label}.png"), full_page=True)
        page.emulate_media(color_scheme="light")
    print("\nScreenshots:\n  " + "\n  ".join(map(str, written)))  # noqa: T201 - for people
    report = "\n".join(f"{name} ({label}): {found}" for name, label, found in problems)
    assert not problems, report
    assert console_csp == []


def test_a_phones_first_view_of_discover_is_under_a_megabyte(
    page: Page,
    live_server,
    client,
    gallery,  # noqa: F811
):
    """The issue's budget. What a phone loads before anyone scrolls: lazy images below the
    fold are not fetched, which is the point of loading them lazily."""
    mira, ben, projects = gallery
    page.set_viewport_size(dict(zip(("width", "height"), VIEWPORTS["phone"], strict=True)))
    for viewer in (None, ben):
        log_in(page, client, viewer, live_server.url)
        for view in ("work", "posts"):
            total = _bytes_received(
                page, lambda v=view: open_page(page, live_server.url, f"/discover?view={v}", False)
            )
            who = "signed in" if viewer else "anonymous"
            print(f"\nDiscover ({view}, {who}) first view at 390 px: {total / 1000:.0f} kB")  # noqa: T201
            assert 0 < total < 1_000_000
