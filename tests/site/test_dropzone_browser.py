"""Drag and drop onto file inputs (static/js/dropzone.js), in Chromium: the zone highlights
while files are held over it, dropped files land in the input and are listed, files the input
doesn't accept are refused by name, the keyboard reaches the input, nothing breaks the CSP, and
without JavaScript the input is a plain file input."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.django_db(transaction=True)

DROP = """([selector, names]) => {
  const zone = document.querySelector(selector).closest('.is-dropzone');
  const data = new DataTransfer();
  for (const name of names) {
    const type = name.endsWith('.png') ? 'image/png' : 'text/plain';
    data.items.add(new File(['x'], name, {type}));
  }
  zone.dispatchEvent(new DragEvent('dragenter', {dataTransfer: data, bubbles: true, cancelable: true}));
  const highlighted = zone.classList.contains('is-dragover');
  zone.dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true}));
  return {highlighted, after: zone.classList.contains('is-dragover'),
          files: Array.from(document.querySelector(selector).files).map(f => f.name)};
}"""


def _log_in(page: Page, client, user, base: str) -> None:
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )


def test_drop_files_on_the_composer(page: Page, live_server, client, make_user):
    base = live_server.url
    _log_in(page, client, make_user("mira"), base)
    csp = []
    page.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else 0)
    page.goto(f"{base}/compose")
    zone = page.locator(".dropzone").first
    expect(zone).to_be_visible()
    result = page.evaluate(DROP, ["#compose-images", ["sketch.png", "notes.txt"]])
    assert result == {"highlighted": True, "after": False, "files": ["sketch.png"]}
    expect(zone.locator(".dropzone-files")).to_contain_text("sketch.png")
    expect(zone.locator(".dropzone-refused")).to_contain_text("notes.txt")
    # The keyboard path is the input itself, still in the tab order.
    page.focus("#compose-images")
    assert page.evaluate("document.activeElement.id") == "compose-images"
    assert csp == []


def test_without_javascript_the_input_is_plain(browser, live_server, client, make_user):
    base = live_server.url
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    _log_in(page, client, make_user("mira"), base)
    page.goto(f"{base}/compose")
    expect(page.locator("#compose-images")).to_be_visible()
    assert page.locator(".dropzone").count() == 0
    context.close()
