"""The Redis view store (used when the default cache is Redis): the same contract as the
SQLite one, with unique viewers from a HyperLogLog. Runs where REDIS_URL is set (CI's
PostgreSQL + Redis lane)."""

import os

import pytest
from django.core.cache.backends.redis import RedisCache

from kiln.insights.store import RedisViewStore

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")


@pytest.fixture
def redis_store():
    backend = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": f"insights-test-{os.getpid()}"})
    view_store = RedisViewStore(backend)
    view_store.clear()
    yield view_store
    view_store.clear()


def test_hits_and_unique_viewers_per_subject_and_day(redis_store):
    for viewer in ("a", "a", "b"):
        redis_store.hit(day="2026-12-07", subject="project:1:mira", viewer=viewer)
    redis_store.hit(day="2026-12-07", subject="profile:0:mira", viewer="a")
    redis_store.hit(day="2026-12-06", subject="project:1:mira", viewer="c")
    assert sorted(redis_store.totals(["2026-12-07"])) == [
        ("2026-12-07", "profile:0:mira", 1, 1),
        ("2026-12-07", "project:1:mira", 3, 2),
    ]


def test_one_salt_per_day_shared_and_different_each_day(redis_store):
    first = redis_store.salt("2026-12-07")
    assert redis_store.salt("2026-12-07") == first
    assert redis_store.salt("2026-12-08") != first and len(first) == 32
