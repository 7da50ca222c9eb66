import logging
import threading

from django.apps import AppConfig

logger = logging.getLogger("kiln.transfer")

# Seconds between sweeps in a running `db_worker`: deletions are due by the day, not the second.
SWEEP_INTERVAL = 300


class TransferConfig(AppConfig):
    """Arriving and leaving: Instagram import, data export, deactivation and deletion."""

    name = "kiln.transfer"
    label = "transfer"
    verbose_name = "Your data"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from kiln.core.worker import worker_starting

        worker_starting.subscribe(start_sweeper)


def start_sweeper(_event=None) -> None:
    threading.Thread(target=_sweep_forever, name="transfer-sweeper", daemon=True).start()


def _sweep_forever() -> None:
    from django.db import close_old_connections, connection

    from kiln.transfer.tasks import transfer_sweep

    stop = threading.Event()
    stop.wait(3)
    while True:
        try:
            close_old_connections()
            transfer_sweep()
        except Exception:
            logger.exception("transfer sweep failed")
        finally:
            connection.close()
        stop.wait(SWEEP_INTERVAL)
