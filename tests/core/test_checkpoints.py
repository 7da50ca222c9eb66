"""SQLite's WAL checkpoints run in the worker, not on a web request's commit; the worker also
freezes its start-up objects out of the garbage collector's passes."""

import sys

import pytest
from django.apps import apps
from django.db import connection

from kiln.core import checkpoints, collector

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="WAL checkpoints are SQLite's"
)


@sqlite_only
@pytest.mark.django_db
def test_web_connections_leave_the_log_to_the_worker_checkpoint(tmp_path):
    """With SQLite's default (1,000 pages) the commit that crossed it would have copied the
    log itself; with Kiln's settings the whole log is still there for the worker."""
    from django.db.backends.sqlite3.base import DatabaseWrapper

    probe = DatabaseWrapper(
        {**connection.settings_dict, "NAME": str(tmp_path / "wal.sqlite3")}, alias="wal-probe"
    )
    try:
        with probe.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            assert cursor.fetchone()[0] == 16384
            cursor.execute("CREATE TABLE t (x BLOB)")
            for _ in range(600):  # each row two 4 KiB pages: about 1,200 pages of log
                cursor.execute("INSERT INTO t VALUES (zeroblob(8000))")
        busy, log_pages, copied = checkpoints.checkpoint_once(probe)
        assert busy == 0 and log_pages >= 1200 and copied == log_pages
    finally:
        probe.close()


@sqlite_only
def test_the_checkpoint_thread_starts_and_stops():
    stop = checkpoints.start_checkpointer()
    assert stop is not None
    stop.set()


def test_only_a_worker_process_starts_the_checkpointer_and_freezes_its_startup_objects(
    monkeypatch,
):
    started = []
    monkeypatch.setattr(checkpoints, "start_checkpointer", lambda: started.append("checkpointer"))
    monkeypatch.setattr(collector, "freeze_startup_objects", lambda: started.append("freeze"))
    monkeypatch.setattr(sys, "argv", ["gunicorn", "kiln.wsgi"])
    apps.get_app_config("core").ready()
    assert started == []
    monkeypatch.setattr(sys, "argv", ["manage.py", "db_worker", "--queue-name", "default"])
    apps.get_app_config("core").ready()
    assert started == ["checkpointer", "freeze"]
