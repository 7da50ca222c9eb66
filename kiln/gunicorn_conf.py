"""gunicorn settings shared by `python -m kiln.devserver`, the benchmarks and deployments:

    gunicorn -c python:kiln.gunicorn_conf kiln.wsgi:application

Production runs behind a buffering proxy (nginx, Caddy), with sync workers: one request at a
time per process, 2 x CPUs + 1 of them (WEB_CONCURRENCY overrides). A page is CPU work with
short database waits, and a sync worker takes it straight from the listening socket. gthread
workers hand each request from a poller thread to a pool thread, which must then win the GIL
back from the other threads of its process. In the feed benchmark at 80% load on two cores,
gthread's p99 was 48 ms against sync's 30 ms on SQLite, and 61 against 50 ms on PostgreSQL
(docs/decisions.md, "Sync workers behind a proxy").

Without a proxy in front, pass `--threads N`: gunicorn then runs gthread workers, which hold
browsers' keep-alive connections and slow clients without blocking a worker each (`make run`
does so).

Each worker freezes the loaded application's objects out of the garbage collector's passes,
and once more after its first requests (kiln/core/collector.py says why).
"""

import itertools
import os

from kiln.core.collector import freeze_startup_objects, freeze_warm_objects
from kiln.core.memory import apply_memory_cap

worker_class = "sync"

# gthread only (sync workers answer "Connection: close"): how long an idle keep-alive connection
# is held. gunicorn's default of 2 s closed connections that clients were about to reuse, and a
# POST sent on one as it closed failed with "connection reset" (issue 25, point 12; browsers
# resend such a request, scripts usually don't). Idle connections wait in the poller, not in a
# thread, so holding them longer costs little. KILN_KEEPALIVE_SECONDS overrides.
keepalive = int(os.environ.get("KILN_KEEPALIVE_SECONDS") or 30)
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1) + 1)

# By then a worker has compiled the templates and filled the caches that it keeps for life.
REFREEZE_AFTER_REQUESTS = 3000

_requests_served = itertools.count(1)  # next() is atomic under the GIL: one thread sees N


def pre_fork(server, worker):
    # With --preload the application is loaded here, in the master: frozen before the fork, its
    # objects are never written by a child's collector either, so their memory stays shared.
    freeze_startup_objects()


def post_fork(server, worker):
    # A hard address-space cap per worker (kiln/core/memory.py): a decoder tricked into
    # allocating fails in this worker, which gunicorn replaces, instead of taking the machine.
    apply_memory_cap("web", connections=worker.cfg.threads + 1)


def post_worker_init(worker):
    # Without --preload each worker loads the application itself, just before this hook.
    freeze_startup_objects()


def post_request(worker, req, environ, resp):
    if next(_requests_served) == REFREEZE_AFTER_REQUESTS:
        freeze_warm_objects()
