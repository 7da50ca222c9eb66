"""Fixed-window request counters in Django's cache (local memory or Redis)."""

import math
import time

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

clock = time.time  # tests freeze this to stay inside one window


def rate_limit_hit(*, scope: str, ident: str, limit: int, window: int) -> int | None:
    """Count one request; over the limit, return the seconds until the window resets."""
    if limit <= 0:
        return None
    now = clock()
    bucket = int(now // window)
    key = f"shield:rl:{scope}:{ident}:{bucket}"
    count = _count_one(key, timeout=window + 5)
    if count <= limit:
        return None
    return max(1, math.ceil((bucket + 1) * window - now))


def _count_one(key: str, *, timeout: int) -> int:
    """Add one to a counter that expires; one round trip on Redis (this runs on every page
    request, twice for a signed-in reader), two cache calls elsewhere."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        client = backend._cache.get_client(key, write=True)
        pipe = client.pipeline(transaction=False)
        full_key = backend.make_and_validate_key(key)
        pipe.incr(full_key)
        pipe.expire(full_key, timeout, nx=True)
        count, _ = pipe.execute()
        return count
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1


def ban_key(ident: str) -> str:
    return f"shield:ban:{ident}"


def ban_set(*, ident: str, seconds: int) -> None:
    cache.set(ban_key(ident), 1, timeout=seconds)


def is_banned(ident: str) -> bool:
    return cache.get(ban_key(ident)) is not None
