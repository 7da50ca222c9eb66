import time

from django.core.management.base import BaseCommand

from kiln.media.services import media_sweep


class Command(BaseCommand):
    help = "Re-queue media assets whose worker died mid-render (lease expired) or was never queued."

    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=int, default=0, help="Keep running, sweeping every N seconds."
        )

    def handle(self, *args, every: int = 0, **options):
        while True:
            count = media_sweep()
            self.stdout.write(f"media_sweep: re-queued {count} asset(s)")
            if every <= 0:
                return
            time.sleep(every)
