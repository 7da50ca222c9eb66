import logging
import threading

from django.apps import AppConfig

logger = logging.getLogger("kiln.insights")

# Seconds between two flushes of the pending view counters inside a running `db_worker`.
FLUSH_INTERVAL = 60


class InsightsConfig(AppConfig):
    name = "kiln.insights"
    label = "insights"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from kiln.core.worker import worker_starting

        worker_starting.subscribe(start_flusher)


def start_flusher(_event=None) -> None:
    """The worker moves the day's counters from the shared store into the database once a
    minute; web requests never write views to the database."""
    threading.Thread(target=_flush_forever, name="insights-flusher", daemon=True).start()


def _flush_forever() -> None:
    from django.db import close_old_connections, connection

    from kiln.insights.services import views_flush

    stop = threading.Event()
    stop.wait(3)
    while True:
        try:
            close_old_connections()
            views_flush()
        except Exception:
            logger.exception("insights flush failed")
        finally:
            connection.close()
        stop.wait(FLUSH_INTERVAL)
