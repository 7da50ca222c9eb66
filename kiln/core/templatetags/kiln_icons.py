"""`{% icon "house" %}`: a vendored Lucide icon (static/vendor/lucide), inlined so it takes the
text colour (`currentColor`) and costs no extra request. Read once per process."""

import functools
import re

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe

register = template.Library()

ICON_DIR = settings.BASE_DIR / "static" / "vendor" / "lucide"
_NAME = re.compile(r"^[a-z0-9-]+$")


@functools.cache
def _svg(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"Bad icon name: {name!r}")
    text = (ICON_DIR / f"{name}.svg").read_text()
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S).strip()
    # Decorative: the link or button beside it carries the words.
    text = text.replace("<svg", '<svg aria-hidden="true" focusable="false"', 1)
    return re.sub(r"\s*\n\s*", " ", text)


@register.simple_tag
def icon(name: str, css_class: str = "") -> str:
    svg = _svg(name)
    if css_class:
        svg = svg.replace('class="lucide', f'class="{css_class} lucide', 1)
    return mark_safe(svg)  # noqa: S308 - our own vendored files, name checked above
