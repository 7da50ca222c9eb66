"""While Redis is unreachable, Kiln's cache answers as empty instead of failing the request."""

import socket

from kiln.core.cache import KilnRedisCache


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the block ends: refused


def test_cache_degrades_to_a_miss_when_redis_is_down():
    cache = KilnRedisCache(f"redis://127.0.0.1:{closed_port()}/0", {})
    assert cache.get("k", "fallback") == "fallback"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.set("k", 1) is None
    assert cache.add("k", 1) is False
    assert cache.set_many({"a": 1}) == ["a"]
    assert cache.delete("k") is False
    assert cache.has_key("k") is False
