"""Public URLs for renditions (see signing.py for the expiring window token)."""

from django.conf import settings

from kiln.media import imaging, signing
from kiln.media.models import Rendition

RENDITION_PREFIX = "/media/r/"


def rendition_url(rendition: Rendition, *, now: float | None = None) -> str:
    """The currently valid URL of a rendition: /media/r/<token>/<content-key>.<ext>."""
    token = signing.url_token(rendition.key, now=now)
    name = rendition.key.rsplit("/", 1)[-1]
    return f"{settings.KILN_MEDIA_ORIGIN}{RENDITION_PREFIX}{token}/{name}"


def key_for_name(name: str) -> str | None:
    """The storage key for a URL's file name, or None if it can't be one of ours."""
    stem, _, ext = name.partition(".")
    if len(stem) != 40 or not all(c in "0123456789abcdef" for c in stem):
        return None
    if ext not in imaging.EXTENSIONS.values():
        return None
    return f"{stem[:2]}/{stem}.{ext}"
