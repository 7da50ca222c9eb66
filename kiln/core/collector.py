"""The garbage collector's policy for Kiln's long-running processes (web workers, db_worker).

A loaded Kiln holds about 90,000 objects that CPython's cyclic collector tracks (modules,
classes, models, URL patterns), and they live as long as the process. A full collection walks
all of them with the GIL held: in the timeline benchmark's gunicorn workers, full collections
took 159 ms (median) and up to 337 ms of wall time on a busy 2-core machine, each one stalling
every request of that process, and in `db_worker` possibly inside a write transaction.

`gc.freeze()` moves everything that exists now into a permanent generation that collections
skip; objects made later (requests, caches, templates compiled on first use) are collected as
before. Measured with the freeze: full collections of 27 ms (median; 68 ms at most), and a
quarter less time in the collector per worker. Raising the young generation's threshold
instead was measured and left out: at 20,000, each young collection took 50 ms.
docs/decisions.md has the runs.
"""

import gc


def freeze_startup_objects() -> None:
    """Call once the process has loaded what it keeps for life (after imports and set-up)."""
    gc.freeze()
