"""Re-queue stalled media assets; with --orphans, also delete originals nothing points at.

Run once (cron) or as a loop with --every N. `make run` keeps an hourly orphan sweep running
(`media_sweep --orphans --every 3600`); the re-queue part also runs inside every db_worker.
"""

import logging
import time

from django.core.management.base import BaseCommand, CommandError

from kiln.media.services import media_sweep, media_sweep_orphans

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Re-queue media assets whose worker died mid-render (lease expired) or was never queued."

    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=int, default=0, help="Keep running, sweeping every N seconds."
        )
        parser.add_argument(
            "--orphans",
            action="store_true",
            help="Also delete private originals no asset points at (lists the store: hourly "
            "at most).",
        )

    def handle(self, *args, every: int = 0, orphans: bool = False, **options):
        if every < 0:
            raise CommandError("--every takes a number of seconds, 1 or more (0: run once).")
        while True:
            try:
                self._sweep(orphans)
            except Exception:
                if not every:
                    raise
                # A loop outlives a database restart: log it and try again next time, rather
                # than exit (which would stop `make run` altogether).
                logger.exception("media_sweep failed; retrying in %s s", every)
            if not every:
                return
            time.sleep(every)

    def _sweep(self, orphans: bool) -> None:
        count = media_sweep()
        self.stdout.write(f"media_sweep: re-queued {count} asset(s)")
        if orphans:
            removed = media_sweep_orphans()
            self.stdout.write(f"media_sweep: deleted {removed} orphaned original(s)")
        self.stdout.flush()
