import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_lane_uses_the_database_it_was_given():
    """The Postgres CI lane must really run on Postgres, not silently fall back to SQLite."""
    expected = (
        "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else ("sqlite")
    )
    assert connection.vendor == expected


def test_lane_uses_redis_when_given(settings):
    from django.core.cache import cache

    if os.environ.get("REDIS_URL"):
        assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
        cache.set("kiln-lane-probe", "ok", 5)
        assert cache.get("kiln-lane-probe") == "ok"
    else:
        assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")
