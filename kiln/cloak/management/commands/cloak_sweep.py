"""Re-queue cloak jobs whose worker died (run from cron, or with --every N as a loop)."""

import time

from django.core.management.base import BaseCommand

from kiln.cloak.services import cloak_sweep


class Command(BaseCommand):
    help = "Re-queue cloak jobs whose lease ran out."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="seconds between sweeps")

    def handle(self, *args, every=0, **opts):
        while True:
            n = cloak_sweep()
            self.stdout.write(f"re-queued {n} cloak job(s)")
            if not every:
                return
            time.sleep(every)
