"""The page-budget counter: counts, expires with its window, and on Redis the window's
expiry is set once (by the request that opens it), so requests do not keep extending it."""

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

from kiln.shield.ratelimit import _count_one


def test_counter_counts_and_keeps_its_first_expiry():
    key = "shield:rl:test:counter"
    assert [_count_one(key, timeout=30) for _ in range(3)] == [1, 2, 3]
    backend = caches["default"]
    if isinstance(backend, RedisCache):  # lane 2: the Redis script
        client = backend._cache.get_client(key)
        full_key = backend.make_and_validate_key(key)
        assert 0 < client.ttl(full_key) <= 30
        client.expire(full_key, 5)
        _count_one(key, timeout=30)
        assert client.ttl(full_key) <= 5  # not pushed back by the later request
        assert backend.get(key) == 4
    else:
        assert backend.get(key) == 3
