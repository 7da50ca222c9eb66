import time

from django.core.management.base import BaseCommand

from kiln.media.services import media_sweep, media_sweep_orphans


class Command(BaseCommand):
    help = "Re-queue media assets whose worker died mid-render (lease expired) or was never queued."

    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=int, default=0, help="Keep running, sweeping every N seconds."
        )
        parser.add_argument(
            "--orphans",
            action="store_true",
            help="Also delete private originals no asset points at (lists the store: daily).",
        )

    def handle(self, *args, every: int = 0, orphans: bool = False, **options):
        while True:
            count = media_sweep()
            self.stdout.write(f"media_sweep: re-queued {count} asset(s)")
            if orphans:
                removed = media_sweep_orphans()
                self.stdout.write(f"media_sweep: deleted {removed} orphaned original(s)")
            if every <= 0:
                return
            time.sleep(every)
