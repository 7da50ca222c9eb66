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
    assert cache.add("k", 1) is True  # a lock taken: limits fail open (kiln/core/cache.py)
    assert cache.set_many({"a": 1}) == ["a"]
    assert cache.delete("k") is False
    assert cache.has_key("k") is False


def test_sign_up_is_not_refused_while_redis_is_down(client, db, settings):
    """allauth's sign-up limit takes a lock in the cache: with Redis down it must let the
    sign-up through (as every other limit does), not answer 429 after a second's wait."""
    from django.core.cache import caches

    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "kiln.core.cache.KilnRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        },
    }
    caches["default"]  # the handler was reset by the settings change: the dead Redis now
    response = client.post(
        "/accounts/signup/",
        {
            "username": "newpainter",
            "email": "newpainter@example.com",
            "password1": "pw-Kiln-2026-long",
            "password2": "pw-Kiln-2026-long",
        },
    )
    assert response.status_code != 429
    from kiln.accounts.models import User

    assert User.objects.filter(username="newpainter").exists()
