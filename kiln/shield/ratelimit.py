"""Fixed-window request counters in Django's cache (local memory or Redis)."""

import math
import time

from django.core.cache import cache

clock = time.time  # tests freeze this to stay inside one window


def rate_limit_hit(*, scope: str, ident: str, limit: int, window: int) -> int | None:
    """Count one request; over the limit, return the seconds until the window resets."""
    if limit <= 0:
        return None
    now = clock()
    bucket = int(now // window)
    key = f"shield:rl:{scope}:{ident}:{bucket}"
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 5)
        count = 1
    if count <= limit:
        return None
    return max(1, math.ceil((bucket + 1) * window - now))


def ban_key(ident: str) -> str:
    return f"shield:ban:{ident}"


def ban_set(*, ident: str, seconds: int) -> None:
    cache.set(ban_key(ident), 1, timeout=seconds)


def is_banned(ident: str) -> bool:
    return cache.get(ban_key(ident)) is not None
