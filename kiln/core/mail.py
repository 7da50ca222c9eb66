"""Every email Kiln sends: a text part and an HTML part, both with the site's name and public
address from settings (KILN_SITE_NAME, KILN_SITE_URL), never the host a request came in on.

The HTML part is the text part set in Kiln's letterhead (paragraphs kept, links made clickable),
so the two can never say different things.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.html import urlize
from django.utils.safestring import mark_safe
from django.utils.text import normalize_newlines


def site_context() -> dict:
    url = settings.KILN_SITE_URL.rstrip("/")
    return {
        "site_name": settings.KILN_SITE_NAME,
        "site_url": url,
        "site_domain": urlsplit(url).netloc or url,
    }


def _paragraphs(text: str) -> list:
    blocks = [b.strip() for b in normalize_newlines(text).split("\n\n") if b.strip()]
    # urlize escapes everything that isn't a link itself (autoescape=True).
    return [mark_safe(urlize(b, autoescape=True).replace("\n", "<br>")) for b in blocks]  # noqa: S308


def branded_message(
    *, subject: str, text: str, to: list[str], from_email: str | None = None, headers=None
) -> EmailMultiAlternatives:
    site = site_context()
    prefix = f"[{site['site_name']}] "
    if not subject.startswith(prefix):
        subject = prefix + subject
    body = render_to_string("emails/base.txt", {**site, "body": text.strip()})
    html = render_to_string(
        "emails/base.html", {**site, "subject": subject, "paragraphs": _paragraphs(text)}
    )
    message = EmailMultiAlternatives(
        subject, body, from_email or settings.DEFAULT_FROM_EMAIL, to, headers=headers
    )
    message.attach_alternative(html, "text/html")
    return message


def send_branded(*, subject: str, text: str, to: list[str]) -> None:
    branded_message(subject=subject, text=text, to=to).send()
