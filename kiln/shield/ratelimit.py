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


def rate_limit_count(*, scope: str, ident: str, window: int) -> tuple[int, int]:
    """Count one request in a fixed window: (requests so far in it, epoch second it resets),
    for APIs that report their budget in headers (X-RateLimit-*)."""
    now = clock()
    bucket = int(now // window)
    count = _count_one(f"shield:rl:{scope}:{ident}:{bucket}", timeout=window + 5)
    return count, (bucket + 1) * window


# One round trip, atomic: the window's expiry is set by the request that opens it, so later
# requests do not keep extending it. (A pipeline of INCR and EXPIRE NX cost twice as much
# client time in redis-py.)
_COUNT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""
_script = None  # redis-py's Script: its SHA, loaded into whichever server runs it


def _count_one(key: str, *, timeout: int) -> int:
    """Add one to a counter that expires; one round trip on Redis (this runs on every page
    request, twice for a signed-in reader), two cache calls elsewhere."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        global _script
        client = backend._cache.get_client(key, write=True)
        if _script is None:
            _script = client.register_script(_COUNT_SCRIPT)
        full_key = backend.make_and_validate_key(key)
        return int(_script(keys=[full_key], args=[timeout], client=client))
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
