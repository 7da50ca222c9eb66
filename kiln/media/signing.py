"""Expiring rendition URLs: /media/r/<window>-<signature>/<content-key>.<ext>.

Time is cut into windows of half the configured lifetime. A URL names its window and carries
an HMAC of (window, key); it is accepted in its own window and the next one, so a URL lives
between half the lifetime and the whole lifetime. Pages always render the current window's
URL, so they never show a dead image, while a harvested list of URLs stops working within
KILN_MEDIA_URL_LIFETIME. Within a window the URL is stable, so a CDN caches it; the response's
max-age never outlives the URL.
"""

import hashlib
import hmac
import time

from django.conf import settings

ONE_YEAR = 31_536_000


def _secret() -> bytes:
    return hashlib.sha256(b"kiln.media.rendition-url:" + settings.SECRET_KEY.encode()).digest()


def _half_window() -> int | None:
    lifetime = settings.KILN_MEDIA_URL_LIFETIME
    return max(lifetime // 2, 1) if lifetime > 0 else None


def _signature(window: int, key: str) -> str:
    message = f"{window}:{key}".encode()
    return hmac.new(_secret(), message, hashlib.sha256).hexdigest()[:20]


def url_token(key: str, *, now: float | None = None) -> str:
    """The token for a rendition key, valid from now for at least half the lifetime."""
    half = _half_window()
    window = int((now if now is not None else time.time()) // half) if half else 0
    return f"{window}-{_signature(window, key)}"


def token_expiry(token: str, key: str, *, now: float | None = None) -> float | None:
    """When this token stops working (a Unix time), or None if it is forged or expired.

    With no lifetime configured, valid tokens get an expiry one year out.
    """
    now = now if now is not None else time.time()
    window_text, _, signature = token.partition("-")
    if not window_text.isdigit() or len(window_text) > 12:
        return None
    window = int(window_text)
    if not hmac.compare_digest(signature, _signature(window, key)):
        return None
    half = _half_window()
    if half is None:
        return now + ONE_YEAR if window == 0 else None
    expires = (window + 2) * half
    if window * half > now + 60 or expires <= now:  # from the future (beyond clock skew) or old
        return None
    return float(expires)
