"""axe-core (from npm, tests/a11y/package.json; `make test` installs it) over every page
issue 23 lists, in the light and the dark theme: no serious or critical violation."""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page

from .gallery import gallery, gallery_pages, log_in, open_page  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + n.failureSummary)}));
}"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail("axe-core is not installed: run `make test` or `bash scripts/node_deps.sh`.")
    return AXE.read_text()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_no_serious_accessibility_violations(
    page: Page,
    live_server,
    client,
    gallery,  # noqa: F811
    axe_source,
    theme,
):
    mira, ben, projects = gallery
    page.set_default_timeout(30_000)
    page.emulate_media(color_scheme=theme)
    found = {}
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for name, viewer, path, open_viewer in gallery_pages(mira, ben, projects):
            log_in(page, client, viewer, live_server.url)
            open_page(page, live_server.url, path, open_viewer)
            # Injected by Playwright (not a <script> in the page), so the page's CSP allows it.
            page.evaluate(axe_source)
            violations = page.evaluate(RUN_AXE)
            for v in violations:
                found.setdefault(f"{v['impact']} {v['id']}: {v['help']}", set()).update(
                    f"{name} at {width} px: {node}" for node in v["nodes"]
                )
    report = "\n".join(f"{rule}\n  " + "\n  ".join(sorted(where)) for rule, where in found.items())
    assert not found, report
