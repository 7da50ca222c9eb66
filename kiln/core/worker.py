"""What a background worker starts besides running tasks, called from its own entry point
(`manage.py db_worker`, kiln/core/management/commands/db_worker.py), never from a web process.

Core's own: SQLite's WAL checkpoints move off the web requests (kiln/core/checkpoints.py), and
the loaded application is frozen out of the garbage collector (kiln/core/collector.py). Apps
above core add theirs by subscribing to `worker_starting` (the media sweeper does).
"""

from kiln.core import checkpoints, collector
from kiln.core.events import Event

worker_starting: Event[None, None] = Event("worker_starting")


def worker_start() -> None:
    checkpoints.start_checkpointer()
    worker_starting.send(None)
    # Django and every model are loaded by now (kiln/core/collector.py says why).
    collector.freeze_startup_objects()
