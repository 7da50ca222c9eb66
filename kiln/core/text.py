"""Plain text in, safe HTML out: escape everything, then autolink URLs (and, for apps that
pass them, #hashtags and @mentions). No user-supplied markup ever reaches a page."""

import re

from django.utils.html import escape, urlize
from django.utils.safestring import SafeString, mark_safe


def render_plain_text(text: str) -> SafeString:
    """Escaped paragraphs with safe autolinks (rel=nofollow noopener, no javascript: URLs)."""
    html = urlize(escape(text or ""), nofollow=True, autoescape=False)
    html = html.replace('rel="nofollow"', 'rel="nofollow noopener ugc"')
    paragraphs = [p for p in re.split(r"\n{2,}", html.strip()) if p]
    return mark_safe(  # noqa: S308 - every piece was escaped above
        "".join("<p>" + p.replace("\n", "<br>") + "</p>" for p in paragraphs)
    )
