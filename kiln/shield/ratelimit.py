"""Sliding-window request budgets and honeypot bans, in the store every process shares."""

import hashlib
import logging
import time

from kiln.core.limits import limit_hit, limit_store

logger = logging.getLogger("kiln.shield")
clock = time.time  # tests freeze this to stay inside one window


def rate_limit_hit(*, scope: str, ident: str, limit: int, window: int) -> int | None:
    """Count one request; over the limit, return the seconds until one more would fit.

    The whole budget may be spent at once (a person opening a portfolio loads many images in a
    burst), but no more than about `limit` requests get through in any `window` seconds."""
    return limit_hit(key=f"shield:rl:{scope}:{ident}", limit=limit, window=window, now=clock())


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
