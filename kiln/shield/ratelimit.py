"""Sliding-window request budgets and honeypot bans, in the store every process shares."""

import hashlib
import logging
import time

from kiln.core.limits import limit_hit, limit_store, sliding_retry_after

logger = logging.getLogger("kiln.shield")
clock = time.time  # tests freeze this to stay inside one window


def rate_limit_hit(*, scope: str, ident: str, limit: int, window: int) -> int | None:
    """Count one request; over the limit, return the seconds until one more would fit.

    The whole budget may be spent at once (a person opening a portfolio loads many images in a
    burst), but no more than about `limit` requests get through in any `window` seconds."""
    return limit_hit(key=f"shield:rl:{scope}:{ident}", limit=limit, window=window, now=clock())


def rate_limit_state(*, scope: str, ident: str, limit: int, window: int) -> tuple[bool, int, int]:
    """Count one request for APIs that report their budget (X-RateLimit-*): (allowed, requests
    left, epoch second the current window ends). Refused requests do not count; a store
    that cannot be reached lets the request through, as `rate_limit_hit` does."""
    now = clock()
    bucket = int(now // window)
    reset = (bucket + 1) * window
    try:
        allowed, prev, cur = limit_store().count(
            f"shield:rl:{scope}:{ident}", bucket=bucket, limit=limit, window=window, now=now
        )
    except Exception:
        logger.exception("rate-limit store unavailable; request let through")
        return True, limit, reset
    fraction = now / window - bucket
    used = prev * (1.0 - fraction) + cur
    if not allowed:
        retry = sliding_retry_after(
            prev=prev, cur=cur, fraction=fraction, limit=limit, window=window
        )
        return False, 0, int(now) + retry
    return True, max(0, int(limit - used)), reset


def ban_ident(*, client_key: str, user_agent: str) -> str:
    """A honeypot ban names one client: its address (or IPv6 /64) and its user agent, so that
    other people behind the same NAT or proxy, with other browsers, keep their images."""
    digest = hashlib.sha256(user_agent.encode("utf-8", "replace")).hexdigest()[:16]
    return f"{client_key}|{digest}"


def ban_key(ident: str) -> str:
    return f"shield:ban:{ident}"


def ban_set(*, ident: str, seconds: int) -> float:
    until = clock() + seconds
    limit_store().ban_set(ban_key(ident), until=until)
    return until


def ban_lift(*, ident: str) -> None:
    limit_store().ban_lift(ban_key(ident))


def is_banned(ident: str) -> bool:
    try:
        return limit_store().ban_until(ban_key(ident), now=clock()) is not None
    except Exception:
        logger.exception("shield: ban store unavailable; request let through")
        return False
