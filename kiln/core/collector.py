"""The garbage collector's policy for Kiln's long-running processes (web workers, db_worker).

A loaded Kiln holds about 90,000 objects that CPython's cyclic collector tracks (modules,
classes, models, URL patterns), and they live as long as the process. A full collection walks
all of them with the GIL held: in the timeline benchmark's gunicorn workers, full collections
took 159 ms (median) and up to 337 ms of wall time on a busy 2-core machine, each one stalling
every request of that process, and in `db_worker` possibly inside a write transaction.

`gc.freeze()` moves everything that exists now into a permanent generation that collections
skip; objects made later are collected as before. A web worker freezes twice: after loading,
and after its first few thousand requests, once it has compiled the templates and filled the
caches it keeps (about 12,000 more objects). Measured in the benchmark's web workers: full
collections of 159 ms (median) with no freeze, 27 ms with the first, 6 ms with both.
Raising the young generation's threshold instead was measured and left out: at 20,000, each
young collection took 50 ms. docs/decisions.md has the runs.
"""

import gc


def freeze_startup_objects() -> None:
    """Call once the process has loaded what it keeps for life (after imports and set-up)."""
    gc.freeze()


def freeze_warm_objects() -> None:
    """Call once, when the caches a process keeps are full: garbage is collected first, so
    that no cycle that is already unreachable is kept for life."""
    gc.collect()
    gc.freeze()
