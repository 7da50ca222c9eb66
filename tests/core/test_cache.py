"""Kiln's Redis cache reuses one redis-py client per pool (Django builds one per call)."""

from django.core.cache.backends.redis import RedisCache

from kiln.core.cache import KilnRedisCache


def test_each_call_gets_the_same_client_for_the_same_pool():
    # No connection is opened here: redis-py connects on the first command.
    cache = KilnRedisCache("redis://127.0.0.1:6379/14", {})
    first = cache._cache.get_client("a", write=True)
    assert cache._cache.get_client("b", write=True) is first
    assert cache._cache.get_client("c") is first  # one server: reads and writes share it
    assert isinstance(cache, RedisCache)  # what kiln.posts.cards and the shield test for
    stock = RedisCache("redis://127.0.0.1:6379/14", {})
    assert stock._cache.get_client("a") is not stock._cache.get_client("a")
