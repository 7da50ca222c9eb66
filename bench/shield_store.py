"""What a shared rate-limit count costs per request, against the old per-process local memory.

Run: .venv/bin/python bench/shield_store.py [--quick]
Prints µs per counted request for: local memory (the old counter: one worker only), the
shield's SQLite store (the embedded default, shared by every process), Redis when REDIS_URL is
set, and the SQLite store with two processes counting at once (the `make run` case).
"""

import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiln.settings_test")

import django  # noqa: E402

django.setup()

from django.core.cache.backends.locmem import LocMemCache  # noqa: E402

from kiln.core.limits import SqliteLimitStore  # noqa: E402

LIMIT, WINDOW = 10**9, 60  # never refuse: measure the count itself


def locmem_count(cache: LocMemCache, key: str) -> int:
    """The counter Kiln used before: add + incr in this process's memory."""
    cache.add(key, 0, timeout=WINDOW + 5)
    return cache.incr(key)


def per_call(fn, number: int) -> float:
    started = time.perf_counter()
    for i in range(number):
        fn(i)
    return (time.perf_counter() - started) / number * 1e6


def sqlite_worker(path: str, number: int, queue) -> None:
    store = SqliteLimitStore(path)
    queue.put(per_call(lambda i: _count(store, i), number))


def _count(store, i: int):
    now = time.time()
    return store.count(
        f"ip:10.0.{i % 50}.1", bucket=int(now // WINDOW), limit=LIMIT, window=WINDOW, now=now
    )


def main() -> None:
    number = 2000 if "--quick" in sys.argv else 20000
    locmem = LocMemCache("bench", {})
    print(f"{number} counted requests, 50 clients")
    base = per_call(lambda i: locmem_count(locmem, f"ip:10.0.{i % 50}.1"), number)
    print(f"local memory (one process only)   {base:8.1f} µs")
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "limits.sqlite3")
        store = SqliteLimitStore(path)
        one = per_call(lambda i: _count(store, i), number)
        print(f"SQLite store, 1 process           {one:8.1f} µs  (+{one - base:.1f} µs)")
        queue = multiprocessing.Queue()
        procs = [
            multiprocessing.Process(target=sqlite_worker, args=(path, number, queue))
            for _ in range(2)
        ]
        for p in procs:
            p.start()
        for p in procs:
            p.join()
        two = [queue.get() for _ in procs]
        print(
            f"SQLite store, 2 processes at once {max(two):8.1f} µs  (each: "
            + ", ".join(f"{t:.1f}" for t in two)
            + ")"
        )
    if os.environ.get("REDIS_URL"):
        from django.core.cache import caches

        from kiln.core.limits import RedisLimitStore

        redis_store = RedisLimitStore(caches["default"])
        value = per_call(lambda i: _count(redis_store, i), number)
        print(f"Redis                             {value:8.1f} µs  (+{value - base:.1f} µs)")


if __name__ == "__main__":
    main()
