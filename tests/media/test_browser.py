"""Chromium: renditions load through <picture> (AVIF chosen), and static/js/media.js paints
the placeholder under the real CSP, with a blurhash decoder that matches the Python one."""

import json

import pytest
from django.template import Context, Template

from kiln.media.models import MediaAsset
from kiln.media.services import media_asset_create
from tests.media import images

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_picture_loads_and_placeholder_is_painted(live_server, page, make_user):
    import blurhash

    owner = make_user("painter", display_name="Painter")
    asset = media_asset_create(owner=owner, upload=images.jpeg(900, 600))
    asset = MediaAsset.objects.prefetch_related("renditions").get(pk=asset.pk)
    assert asset.state == MediaAsset.State.READY
    html = Template('{% load media_tags %}{% picture asset sizes="450px" alt="study" %}').render(
        Context({"asset": asset})
    )
    violations = []
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))
    page.goto(live_server.url + "/accounts/login/")
    page.wait_for_function("window.kilnMedia !== undefined")

    # 1. The real picture: the browser picks AVIF, and it decodes.
    page.evaluate(
        "html => { const d = document.createElement('div'); d.id = 'pic'; d.innerHTML = html;"
        " document.querySelector('main').prepend(d); }",
        html,
    )
    page.wait_for_function(
        "() => { const i = document.querySelector('#pic img'); return i.complete && i.naturalWidth > 0; }"
    )
    src = page.eval_on_selector("#pic img", "i => i.currentSrc")
    assert src.endswith(".avif"), src
    # sizes="450px" at DPR 1 picks the 640 px AVIF; width/height attributes hold the ratio.
    chosen = asset.renditions.get(key__endswith=src.rsplit("/", 1)[-1])
    assert (chosen.format, chosen.width) == ("avif", 640)
    assert page.eval_on_selector(
        "#pic img", "i => [i.getAttribute('width'), i.getAttribute('height')]"
    ) == ["900", "600"]

    # 2. An image that cannot load (an expired link) keeps its placeholder.
    broken = html.replace('src="/media/r/', 'src="/media/r/1-00000000000000000000/x').replace(
        "srcset=", "data-x="
    )
    page.evaluate(
        "html => { const d = document.createElement('div'); d.id = 'broken'; d.innerHTML = html;"
        " document.querySelector('main').prepend(d); window.kilnMedia.scan(d); }",
        broken,
    )
    r, g, b = (int(asset.dominant_color[i : i + 2], 16) for i in (1, 3, 5))
    style = page.eval_on_selector(
        "#broken img",
        "i => [getComputedStyle(i).backgroundColor, getComputedStyle(i).backgroundImage]",
    )
    assert style[0] == f"rgb({r}, {g}, {b})"
    assert style[1].startswith('url("data:image/png;base64,')
    assert violations == []

    # 3. The JavaScript blurhash decoder agrees with the Python one.
    js = page.evaluate("h => Array.from(window.kilnMedia.decodeBlurhash(h, 4, 3))", asset.blurhash)
    expected = blurhash.decode(asset.blurhash, 4, 3).convert("RGB").tobytes()
    js_rgb = [v for i, v in enumerate(js) if i % 4 != 3]
    assert max(abs(a - b) for a, b in zip(js_rgb, expected, strict=True)) <= 2, json.dumps(js_rgb)
