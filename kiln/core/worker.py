"""What a background worker starts besides running tasks, called from its own entry point
(`manage.py db_worker`, kiln/core/management/commands/db_worker.py), never from a web process.

Core's own: SQLite's WAL checkpoints move off the web requests (kiln/core/checkpoints.py), and
the loaded application is frozen out of the garbage collector (kiln/core/collector.py). Apps
above core add theirs by subscribing to `worker_starting` (the media sweeper does).
"""

import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import timedelta

from kiln.core import checkpoints, collector
from kiln.core.events import Event

logger = logging.getLogger("kiln.core")

worker_starting: Event[None, None] = Event("worker_starting")


@dataclass(frozen=True)
class WorkerDied:
    worker_id: str


# Sent once for each worker found dead, before its heartbeat row is removed: the apps whose
# rows name their worker (media's `locked_by`) take them back.
worker_died: Event[WorkerDied, None] = Event("worker_died")

# A worker writes its heartbeat this often (seconds), and is dead once silent for DEAD_AFTER:
# a kill -9 is noticed by the next live worker within DEAD_AFTER + HEARTBEAT_SECONDS.
HEARTBEAT_SECONDS = 2
DEAD_AFTER = 10
_current_worker_id: str | None = None


def current_worker_id() -> str | None:
    """This process's worker id, or None outside a `db_worker` (web, tests, commands)."""
    return _current_worker_id


def worker_start(*, worker_id: str | None = None, queues: str = "") -> None:
    checkpoints.start_checkpointer()
    if worker_id:
        heartbeat_start(worker_id=worker_id, queues=queues)
    worker_starting.send(None)
    # Django and every model are loaded by now (kiln/core/collector.py says why).
    collector.freeze_startup_objects()


def heartbeat_beat(*, worker_id: str, queues: str = "") -> None:
    from django.utils import timezone

    from kiln.core.models import WorkerHeartbeat

    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(beat_at=now)
    if not updated:
        WorkerHeartbeat.objects.create(
            worker_id=worker_id,
            pid=os.getpid(),
            host=socket.gethostname()[:255],
            queues=queues[:200],
            started_at=now,
            beat_at=now,
        )


def reclaim_dead_workers(*, now=None) -> list[str]:
    """Fail the task rows of workers silent for DEAD_AFTER seconds, let the apps take back
    what those workers held (`worker_died`), and forget them. Returns their ids."""
    from django.db import transaction
    from django.utils import timezone
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from kiln.core.models import WorkerHeartbeat

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=DEAD_AFTER)
    dead = list(
        WorkerHeartbeat.objects.filter(beat_at__lt=cutoff).values_list("worker_id", flat=True)
    )
    for worker_id in dead:
        with transaction.atomic():
            running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
            for result in running:  # few rows; JSON "contains" is not portable to SQLite
                if result.worker_ids and result.worker_ids[-1] == worker_id:
                    result.set_failed(RuntimeError(f"worker {worker_id} died running this task"))
            worker_died.send(WorkerDied(worker_id=worker_id))
            WorkerHeartbeat.objects.filter(worker_id=worker_id, beat_at__lt=cutoff).delete()
        logger.warning("worker %s stopped beating; what it held was reclaimed", worker_id)
    return dead


def _beat_forever(worker_id: str, queues: str) -> None:
    from django.db import close_old_connections

    stop = threading.Event()
    while True:
        try:
            close_old_connections()
            heartbeat_beat(worker_id=worker_id, queues=queues)
            reclaim_dead_workers()
        except Exception:
            logger.exception("worker heartbeat failed")
        stop.wait(HEARTBEAT_SECONDS)


def heartbeat_start(*, worker_id: str, queues: str = "") -> None:
    global _current_worker_id
    _current_worker_id = worker_id
    heartbeat_beat(worker_id=worker_id, queues=queues)
    threading.Thread(
        target=_beat_forever, args=(worker_id, queues), name="worker-heartbeat", daemon=True
    ).start()
