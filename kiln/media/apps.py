import logging
import threading

from django.apps import AppConfig

logger = logging.getLogger("kiln.media")

# Seconds between sweeps inside a running `db_worker` (the first one runs at start-up).
SWEEP_INTERVAL = 60


class MediaConfig(AppConfig):
    name = "kiln.media"
    label = "media"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from kiln.core.worker import worker_died, worker_starting

        worker_starting.subscribe(start_sweeper)
        worker_died.subscribe(reclaim_from_dead_worker)


def reclaim_from_dead_worker(event) -> None:
    from kiln.media.services import media_reclaim_from_worker

    count = media_reclaim_from_worker(worker_id=event.worker_id)
    if count:
        logger.info("re-queued %s asset(s) of dead worker %s", count, event.worker_id)


def start_sweeper(_event=None) -> None:
    """A worker that starts (or restarts after a crash) first re-queues whatever a dead worker
    left mid-render, then keeps sweeping; no extra process or cron is needed."""
    threading.Thread(target=_sweep_forever, name="media-sweeper", daemon=True).start()


def _sweep_forever() -> None:
    from django.db import close_old_connections, connection

    from kiln.media.services import media_sweep

    stop = threading.Event()
    stop.wait(2)  # let the worker finish starting
    while True:
        try:
            close_old_connections()
            count = media_sweep()
            if count:
                logger.info("media sweep re-queued %s asset(s)", count)
        except Exception:
            logger.exception("media sweep failed")
        finally:
            connection.close()
        stop.wait(SWEEP_INTERVAL)
