"""The day's view counters, shared by every process, so a page view never writes to the
database: Redis when the default cache is Redis (as kiln/core/limits.py chooses), else a small
SQLite file of insights' own (KILN_INSIGHTS_STORE, default var/insights/pending.sqlite3).

Each subject ("project:12:mira") keeps, per day, its hit count and its set of viewer hashes, so
a flush writes absolute day totals and can run any number of times. A day's rows and its salt
are dropped two days later: after that no hash can be tied back to a visitor.

Redis counts unique viewers with a HyperLogLog (about 0.8 % standard error, 12 KB at most per
subject and day); SQLite counts them exactly.
"""

import os
import secrets
import sqlite3
import threading
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

KEEP_SECONDS = 3 * 86400


class SqliteViewStore:
    def __init__(self, path: str):
        self.path = path
        self._local = threading.local()

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is not None and self._local.pid == os.getpid():
            return conn
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=5.0, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=OFF")  # losing a few counts in a crash is fine
        conn.execute(
            "CREATE TABLE IF NOT EXISTS seen (day TEXT NOT NULL, subject TEXT NOT NULL, "
            "viewer TEXT NOT NULL, hits INTEGER NOT NULL, "
            "PRIMARY KEY (day, subject, viewer)) WITHOUT ROWID"
        )
        conn.execute("CREATE TABLE IF NOT EXISTS salts (day TEXT PRIMARY KEY, salt TEXT NOT NULL)")
        self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def salt(self, day: str) -> str:
        conn = self._conn()
        conn.execute(
            "INSERT OR IGNORE INTO salts (day, salt) VALUES (?, ?)", (day, secrets.token_hex(16))
        )
        return conn.execute("SELECT salt FROM salts WHERE day = ?", (day,)).fetchone()[0]

    def hit(self, *, day: str, subject: str, viewer: str) -> None:
        self._conn().execute(
            "INSERT INTO seen (day, subject, viewer, hits) VALUES (?, ?, ?, 1) "
            "ON CONFLICT (day, subject, viewer) DO UPDATE SET hits = hits + 1",
            (day, subject, viewer),
        )

    def totals(self, days: list[str]) -> list[tuple[str, str, int, int]]:
        """(day, subject, hits, unique viewers) for the given days."""
        marks = ",".join("?" * len(days))
        return (
            self._conn()
            .execute(
                f"SELECT day, subject, SUM(hits), COUNT(*) FROM seen WHERE day IN ({marks}) "  # noqa: S608
                "GROUP BY day, subject",
                days,
            )
            .fetchall()
        )

    def forget_before(self, day: str) -> None:
        conn = self._conn()
        conn.execute("DELETE FROM seen WHERE day < ?", (day,))
        conn.execute("DELETE FROM salts WHERE day < ?", (day,))

    def clear(self) -> None:
        conn = self._conn()
        conn.execute("DELETE FROM seen")
        conn.execute("DELETE FROM salts")


class RedisViewStore:
    def __init__(self, backend: RedisCache):
        self.backend = backend

    def _client(self):
        return self.backend._cache.get_client(None, write=True)

    def _key(self, *parts: str) -> str:
        return self.backend.make_key("insights:" + ":".join(parts))

    def salt(self, day: str) -> str:
        client = self._client()
        key = self._key("salt", day)
        client.set(key, secrets.token_hex(16), nx=True, ex=KEEP_SECONDS)
        value = client.get(key)
        return value.decode() if isinstance(value, bytes) else value

    def hit(self, *, day: str, subject: str, viewer: str) -> None:
        pipe = self._client().pipeline(transaction=False)
        hits = self._key("hits", day)
        uniques = self._key("u", day, subject)
        pipe.hincrby(hits, subject, 1)
        pipe.pfadd(uniques, viewer)
        pipe.expire(hits, KEEP_SECONDS)
        pipe.expire(uniques, KEEP_SECONDS)
        pipe.execute()

    def totals(self, days: list[str]) -> list[tuple[str, str, int, int]]:
        client = self._client()
        out = []
        for day in days:
            hits = client.hgetall(self._key("hits", day))
            for subject, count in hits.items():
                subject = subject.decode() if isinstance(subject, bytes) else subject
                uniques = client.pfcount(self._key("u", day, subject))
                out.append((day, subject, int(count), int(uniques)))
        return out

    def forget_before(self, day: str) -> None:
        """Redis expires the keys itself."""

    def clear(self) -> None:
        client = self._client()
        keys = list(client.scan_iter(self._key("*")))
        if keys:
            client.delete(*keys)


@lru_cache(maxsize=4)
def _store_for(backend_type: type, path: str):
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return RedisViewStore(backend)
    return SqliteViewStore(path)


def view_store():
    path = str(getattr(settings, "KILN_INSIGHTS_STORE", "") or "")
    if not path:
        path = str(Path(settings.VAR_DIR) / "insights" / "pending.sqlite3")
    return _store_for(type(caches["default"]), path)
