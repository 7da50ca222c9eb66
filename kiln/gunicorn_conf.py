"""gunicorn settings shared by `python -m kiln.devserver`, the benchmarks and deployments:

    gunicorn -c python:kiln.gunicorn_conf kiln.wsgi:application

Each worker freezes the loaded application's objects out of the garbage collector's passes,
and once more after its first requests (kiln/core/collector.py says why).
"""

import itertools

from kiln.core.collector import freeze_startup_objects, freeze_warm_objects

# By then a worker has compiled the templates and filled the caches that it keeps for life.
REFREEZE_AFTER_REQUESTS = 3000

_requests_served = itertools.count(1)  # next() is atomic under the GIL: one thread sees N


def pre_fork(server, worker):
    # With --preload the application is loaded here, in the master: frozen before the fork, its
    # objects are never written by a child's collector either, so their memory stays shared.
    freeze_startup_objects()


def post_worker_init(worker):
    # Without --preload each worker loads the application itself, just before this hook.
    freeze_startup_objects()


def post_request(worker, req, environ, resp):
    if next(_requests_served) == REFREEZE_AFTER_REQUESTS:
        freeze_warm_objects()
