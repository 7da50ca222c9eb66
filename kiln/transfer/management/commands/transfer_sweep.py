from django.core.management.base import BaseCommand

from kiln.transfer.tasks import transfer_sweep


class Command(BaseCommand):
    help = "Queue account deletions whose grace period is over; release retired usernames."

    def handle(self, *args, **options):
        count = transfer_sweep()
        self.stdout.write(f"{count} account deletion(s) queued")
