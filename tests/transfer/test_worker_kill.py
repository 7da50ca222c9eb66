"""kill -9 of a real `db_worker` halfway through a deletion: a second worker resumes it and
leaves no file and no row of the account behind (both database lanes)."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from kiln.transfer import services
from tests.child_db import share_test_database

from .helpers import files_under, give_artist_a_life

pytestmark = pytest.mark.django_db(transaction=True)
CHILD = Path(__file__).with_name("worker_child.py")


def child_env(tmp_path: Path, media_root: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(KILN_VAR_DIR=str(tmp_path / "var"), KILN_MEDIA_ROOT=str(media_root))
    env.pop("KILN_TASK_BACKEND", None)  # the real database queue
    (tmp_path / "var").mkdir(exist_ok=True)
    share_test_database(env, tmp_path / "var")
    return env


def user_rows_left(tmp_path: Path, user_id: int) -> int:
    query = "SELECT COUNT(*) FROM accounts_user WHERE id = %s"
    if connection.vendor == "sqlite":
        with sqlite3.connect(tmp_path / "var" / "kiln.sqlite3") as db:
            return db.execute(query.replace("%s", "?"), [user_id]).fetchone()[0]
    with connection.cursor() as cursor:
        cursor.execute(query, [user_id])
        return cursor.fetchone()[0]


def test_kill_9_mid_deletion_then_resume(
    make_user, media_root, tmp_path, django_capture_on_commit_callbacks
):
    ana = make_user("ana")
    ben = make_user("ben")
    give_artist_a_life(ana, ben, django_capture_on_commit_callbacks)
    services.account_delete_request(user=ana, password="pw-Kiln-2026")
    before = files_under(media_root)
    assert before
    env = child_env(tmp_path, media_root)
    later = timezone.now() + timedelta(days=31)
    marker = tmp_path / "paused"

    worker = subprocess.Popen(
        [sys.executable, str(CHILD), later.isoformat(), "posts", str(marker)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while not marker.exists():  # waiting for the worker, not timing it
        assert worker.poll() is None, worker.stdout.read().decode()[-3000:]
        assert time.monotonic() < deadline, "the worker never reached the pause"
        time.sleep(0.05)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    # Halfway: posts gone, media still there, the account row still there.
    assert files_under(media_root) == before
    assert user_rows_left(tmp_path, ana.pk) == 1

    # A new worker, after the dead one's lease: it resumes and finishes.
    done = subprocess.run(
        [sys.executable, str(CHILD), (later + timedelta(hours=1)).isoformat()],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "queued 1" in done.stdout
    assert files_under(media_root) == set()
    assert user_rows_left(tmp_path, ana.pk) == 0
