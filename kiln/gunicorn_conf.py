"""gunicorn settings shared by `python -m kiln.devserver`, the benchmarks and deployments:

    gunicorn -c python:kiln.gunicorn_conf kiln.wsgi:application

Each worker freezes the loaded application's objects out of the garbage collector's passes
(kiln/core/collector.py says why).
"""

from kiln.core.collector import freeze_startup_objects


def pre_fork(server, worker):
    # With --preload the application is loaded here, in the master: frozen before the fork, its
    # objects are never written by a child's collector either, so their memory stays shared.
    freeze_startup_objects()


def post_worker_init(worker):
    # Without --preload each worker loads the application itself, just before this hook.
    freeze_startup_objects()
