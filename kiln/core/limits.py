"""Where rate counters and bans live: one store shared by every process (the shield's budgets
and honeypot bans, the login limits).

With Redis configured (REDIS_URL) that is Redis, one round trip per count. Otherwise it is a
small SQLite file of the shield's own (KILN_SHIELD_STORE, default var/shield/limits.sqlite3),
never the local-memory cache: that lives in one gunicorn worker, so every limit was really
"per worker" and a ban held in only one of them (issue 16.1). bench/shield_store.py measures
what each costs per request against local memory.

Counters are sliding windows (the previous window's count, weighted by how much of it still
overlaps, plus the current one): a client may spend its whole budget in a burst, but no more than
about `limit` requests get through in any `window` seconds, and refused requests do not count.
"""

import logging
import math
import os
import sqlite3
import threading
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger("kiln.core.limits")
PURGE_EVERY = 2000  # counts between two sweeps of expired rows (SQLite store)


def sliding_allows(*, prev: int, cur: int, fraction: float, limit: int) -> bool:
    return prev * (1.0 - fraction) + cur + 1 <= limit


def sliding_retry_after(*, prev: int, cur: int, fraction: float, limit: int, window: int) -> int:
    """Seconds until one more request would be allowed (the window slides on)."""
    if cur + 1 <= limit and prev > 0:
        needed = 1.0 - (limit - cur - 1) / prev
        if needed <= 1.0:
            return _seconds((needed - fraction) * window)
    # Not in this window: wait for the next one, where this window's count weighs as `prev`.
    needed_next = max(0.0, 1.0 - (limit - 1) / cur) if cur else 0.0
    return _seconds((1.0 - fraction + needed_next) * window)


def _seconds(value: float) -> int:
    return max(1, math.ceil(value - 1e-6))  # 46.0000001 is 46 s, not 47


class SqliteLimitStore:
    """Counters and bans in one SQLite file (WAL, no fsync: losing counts in a crash is fine)."""

    def __init__(self, path: str):
        self.path = path
        self._local = threading.local()
        self._hits = 0

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is not None and self._local.pid == os.getpid():
            return conn
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=5.0, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS counters (k TEXT PRIMARY KEY, b INTEGER NOT NULL, "
            "p INTEGER NOT NULL, c INTEGER NOT NULL, exp REAL NOT NULL) WITHOUT ROWID"
        )
        conn.execute(
            "CREATE TABLE IF NOT EXISTS bans (k TEXT PRIMARY KEY, until REAL NOT NULL) "
            "WITHOUT ROWID"
        )
        self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def count(self, key: str, *, bucket: int, limit: int, window: int, now: float):
        """Count one request if it fits: (allowed, prev, cur) after the decision."""
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            row = conn.execute("SELECT b, p, c FROM counters WHERE k = ?", (key,)).fetchone()
            prev, cur = _roll(row, bucket)
            fraction = now / window - bucket
            allowed = sliding_allows(prev=prev, cur=cur, fraction=fraction, limit=limit)
            if allowed:
                cur += 1
                conn.execute(
                    "INSERT INTO counters (k, b, p, c, exp) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (k) DO UPDATE SET b = excluded.b, p = excluded.p, "
                    "c = excluded.c, exp = excluded.exp",
                    (key, bucket, prev, cur, now + 2 * window),
                )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        self._hits += 1
        if self._hits % PURGE_EVERY == 0:
            self.purge(now=now)
        return allowed, prev, cur

    def purge(self, *, now: float) -> None:
        conn = self._conn()
        conn.execute("DELETE FROM counters WHERE exp < ?", (now,))
        conn.execute("DELETE FROM bans WHERE until < ?", (now,))

    def ban_set(self, key: str, *, until: float) -> None:
        self._conn().execute(
            "INSERT INTO bans (k, until) VALUES (?, ?) "
            "ON CONFLICT (k) DO UPDATE SET until = excluded.until",
            (key, until),
        )

    def ban_until(self, key: str, *, now: float) -> float | None:
        row = self._conn().execute("SELECT until FROM bans WHERE k = ?", (key,)).fetchone()
        return row[0] if row and row[0] > now else None

    def ban_lift(self, key: str) -> None:
        self._conn().execute("DELETE FROM bans WHERE k = ?", (key,))

    def clear(self) -> None:
        conn = self._conn()
        conn.execute("DELETE FROM counters")
        conn.execute("DELETE FROM bans")


def _roll(row, bucket: int) -> tuple[int, int]:
    """(prev, cur) for `bucket` from a stored (bucket, prev, cur)."""
    if row is None:
        return 0, 0
    stored, prev, cur = row
    if stored == bucket:
        return prev, cur
    if stored == bucket - 1:
        return cur, 0
    return 0, 0


# The same decision as SqliteLimitStore.count, atomic in one round trip. Redis truncates Lua
# numbers in replies, so the fraction is compared here and only integers come back.
_COUNT_SCRIPT = """
local bucket = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local fraction = tonumber(ARGV[3])
local v = redis.call('HMGET', KEYS[1], 'b', 'p', 'c')
local stored, prev, cur = tonumber(v[1]), tonumber(v[2]) or 0, tonumber(v[3]) or 0
if stored == nil then prev, cur = 0, 0
elseif stored == bucket - 1 then prev, cur = cur, 0
elseif stored ~= bucket then prev, cur = 0, 0 end
if prev * (1 - fraction) + cur + 1 > limit then return {0, prev, cur} end
redis.call('HSET', KEYS[1], 'b', bucket, 'p', prev, 'c', cur + 1)
redis.call('EXPIRE', KEYS[1], ARGV[4])
return {1, prev, cur + 1}
"""


class RedisLimitStore:
    """The same operations on the default Redis cache's server (cleared with the cache)."""

    def __init__(self, backend: RedisCache):
        self.backend = backend
        self._script = None

    def _client(self, key: str):
        return self.backend._cache.get_client(key, write=True)

    def _key(self, key: str) -> str:
        return self.backend.make_and_validate_key(key)

    def count(self, key: str, *, bucket: int, limit: int, window: int, now: float):
        client = self._client(key)
        if self._script is None:
            self._script = client.register_script(_COUNT_SCRIPT)
        fraction = now / window - bucket
        allowed, prev, cur = self._script(
            keys=[self._key(key)], args=[bucket, limit, repr(fraction), 2 * window], client=client
        )
        return bool(allowed), int(prev), int(cur)

    def ban_set(self, key: str, *, until: float) -> None:
        import time

        seconds = max(1, math.ceil(until - time.time()))
        self._client(key).set(self._key(key), repr(until), ex=seconds)

    def ban_until(self, key: str, *, now: float) -> float | None:
        value = self._client(key).get(self._key(key))
        if value is None:
            return None
        until = float(value)
        return until if until > now else None

    def ban_lift(self, key: str) -> None:
        self._client(key).delete(self._key(key))

    def clear(self) -> None:
        self.backend.clear()

    def purge(self, *, now: float) -> None:
        """Redis expires keys itself."""


@lru_cache(maxsize=4)
def _store_for(backend_id: int, path: str):
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return RedisLimitStore(backend)
    return SqliteLimitStore(path)


def limit_store():
    """Redis when the default cache is Redis, else the shared SQLite file."""
    path = str(getattr(settings, "KILN_SHIELD_STORE", "") or "")
    if not path:
        path = str(Path(settings.VAR_DIR) / "shield" / "limits.sqlite3")
    backend = caches["default"]
    return _store_for(id(type(backend)), path)


def limit_hit(*, key: str, limit: int, window: int, now: float) -> int | None:
    """Count one request under `key`; over the limit, the seconds until one more would fit.

    A store that cannot be reached logs and lets the request through: a broken counter file
    must not take the site down with it."""
    if limit <= 0:
        return None
    bucket = int(now // window)
    try:
        allowed, prev, cur = limit_store().count(
            key, bucket=bucket, limit=limit, window=window, now=now
        )
    except Exception:
        logger.exception("rate-limit store unavailable; request let through")
        return None
    if allowed:
        return None
    fraction = now / window - bucket
    return sliding_retry_after(prev=prev, cur=cur, fraction=fraction, limit=limit, window=window)
