"""SQLite's WAL checkpoints run in the worker, not on a web request's commit; the worker also
freezes its start-up objects out of the garbage collector's passes."""

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
    from django.core.management import get_commands

    from kiln.core import worker
    from kiln.core.events import Event
    from kiln.core.management.commands import db_worker

    # A fresh event: the apps' own subscribers (the media sweeper) would start real threads.
    monkeypatch.setattr(worker, "worker_starting", Event("worker_starting"))
    for config in apps.get_app_configs():
        config.ready()  # loading the apps, as a web process does, starts nothing
    assert started == []
    # `manage.py db_worker` is Kiln's command, which starts them before running tasks.
    assert get_commands()["db_worker"] == "kiln.core"
    monkeypatch.setattr(db_worker.TasksDbWorkerCommand, "handle", lambda *a, **k: "ran")
    assert db_worker.Command().handle() == "ran"
    assert started == ["checkpointer", "freeze"]
