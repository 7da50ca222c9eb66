"""The shared budget counter: a sliding window that allows a burst, refuses past the budget in
any window, does not count refusals, and tells the truth in Retry-After."""

import pytest

import kiln.shield.ratelimit as ratelimit
from kiln.shield.ratelimit import rate_limit_hit

START = 1_800_000_000.0  # a window boundary (divisible by 60)


@pytest.fixture
def now(monkeypatch):
    clock = [START]
    monkeypatch.setattr(ratelimit, "clock", lambda: clock[0])
    return clock


def hits(n: int, limit: int = 10) -> list:
    return [rate_limit_hit(scope="t", ident="a", limit=limit, window=60) for _ in range(n)]


def test_the_whole_budget_may_be_spent_at_once_and_no_more(now):
    results = hits(12)
    assert results[:10] == [None] * 10
    assert all(r is not None for r in results[10:])
    assert rate_limit_hit(scope="t", ident="b", limit=10, window=60) is None  # others unaffected


def test_the_previous_window_still_weighs_on_the_next(now):
    hits(10)
    now[0] = START + 60 + 30  # half of the last window still overlaps: room for 5
    assert hits(6) == [None] * 5 + [hits(1)[0]] and hits(1)[0] is not None


def test_no_more_than_the_budget_in_any_minute_under_constant_pressure(now):
    allowed_at = []
    for step in range(0, 600):  # a client asking twice a second for five minutes
        now[0] = START + step * 0.5
        if rate_limit_hit(scope="t", ident="a", limit=10, window=60) is None:
            allowed_at.append(now[0])
    worst = max(sum(1 for t in allowed_at if s <= t < s + 60) for s in allowed_at)
    assert len(allowed_at) >= 45  # about 10 a minute over 5 minutes
    print(f"\n[sliding window] {len(allowed_at)} allowed in 5 min, worst minute {worst}")
    assert worst <= 10


def test_retry_after_is_honest(now):
    now[0] = START + 20
    hits(10)
    retry = rate_limit_hit(scope="t", ident="a", limit=10, window=60)
    assert retry is not None
    now[0] = START + 20 + retry - 1
    assert rate_limit_hit(scope="t", ident="a", limit=10, window=60) is not None
    now[0] = START + 20 + retry
    assert rate_limit_hit(scope="t", ident="a", limit=10, window=60) is None


def test_refused_requests_do_not_count(now):
    hits(10)
    hits(100)  # all refused
    now[0] = START + 60 + 59  # almost all of the last window has slid past
    assert hits(9) == [None] * 9


def test_a_broken_store_lets_requests_through(now, settings, caplog, tmp_path):
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    if isinstance(caches["default"], RedisCache):
        pytest.skip("the Redis lane has no store file to break")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    settings.KILN_SHIELD_STORE = str(blocker / "limits.sqlite3")
    assert hits(3, limit=1) == [None, None, None]
    assert "store unavailable" in caplog.text
