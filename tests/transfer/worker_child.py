"""A real `manage.py db_worker`, for the kill -9 test: queue the due deletions by the given
clock, optionally stop for good after one purge step (writing a marker file so the test knows
when to kill), then work the "low" queue until it is empty.

    python tests/transfer/worker_child.py AS_OF_ISO [PAUSE_AFTER_STEP MARKER_PATH]
"""

import os
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ["DJANGO_SETTINGS_MODULE"] = "kiln.settings"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils.dateparse import parse_datetime  # noqa: E402

from kiln.transfer import purge  # noqa: E402
from kiln.transfer.tasks import transfer_sweep  # noqa: E402

if len(sys.argv) > 3:
    pause_after, marker = sys.argv[2], Path(sys.argv[3])

    def pause(user_id, now):
        marker.write_text("paused")
        threading.Event().wait()  # until the test kills this process

    index = [name for name, _ in purge.STEPS].index(pause_after)
    purge.STEPS.insert(index + 1, ("pause", pause))

print("queued", transfer_sweep(now=parse_datetime(sys.argv[1])), flush=True)
call_command("db_worker", queue_name="low", batch=True, interval=0.1, startup_delay=False)
