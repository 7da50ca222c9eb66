"""Kiln's SQLite backend waits for the write lock in short steps instead of SQLite's
backing-off sleeps, and only where waiting is safe."""

import sqlite3
import threading
import time

import pytest
from django.db import connection

from kiln.core.sqlite import base as kiln_sqlite


class _Raw:
    def __init__(self, in_transaction: bool):
        self.in_transaction = in_transaction


def _busy():
    error = sqlite3.OperationalError("database is locked")
    error.sqlite_errorcode = 5
    return error


def _fails(times: int, error_factory=_busy):
    calls = []

    def statement():
        calls.append(1)
        if len(calls) <= times:
            raise error_factory()
        return "done"

    return statement, calls


def test_a_statement_outside_a_transaction_is_tried_again_until_the_lock_is_free():
    statement, calls = _fails(3)
    assert kiln_sqlite.run_waiting_for_lock(_Raw(False), statement) == "done"
    assert len(calls) == 4


def test_inside_a_transaction_a_busy_statement_is_not_repeated():
    statement, calls = _fails(1)
    with pytest.raises(sqlite3.OperationalError):
        kiln_sqlite.run_waiting_for_lock(_Raw(True), statement)
    assert len(calls) == 1


def test_other_errors_are_not_repeated():
    statement, calls = _fails(1, lambda: sqlite3.OperationalError("no such table: x"))
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        kiln_sqlite.run_waiting_for_lock(_Raw(False), statement)
    assert len(calls) == 1


def test_it_gives_up_after_the_busy_timeout(monkeypatch):
    monkeypatch.setattr(kiln_sqlite, "BUSY_TIMEOUT_SECONDS", 0.01)
    statement, calls = _fails(10**9)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        kiln_sqlite.run_waiting_for_lock(_Raw(False), statement)
    assert len(calls) > 2


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write lock")
@pytest.mark.django_db
def test_a_second_writer_gets_the_lock_once_the_first_commits(tmp_path):
    """SQLite itself now reports a taken lock at once (busy_timeout=0); the backend waits."""
    config = {**connection.settings_dict, "NAME": str(tmp_path / "lock.sqlite3")}
    first = kiln_sqlite.DatabaseWrapper(config, alias="first")
    second = kiln_sqlite.DatabaseWrapper(config, alias="second")
    try:
        with first.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] == 0
            cursor.execute("CREATE TABLE t (x INTEGER)")
            cursor.execute("BEGIN IMMEDIATE")
            cursor.execute("INSERT INTO t VALUES (1)")
        threading.Timer(0.05, first.connection.commit).start()
        started = time.monotonic()
        with second.cursor() as cursor:
            cursor.execute("BEGIN IMMEDIATE")  # waits for the first writer's commit
            cursor.execute("INSERT INTO t VALUES (2)")
            cursor.execute("COMMIT")
            cursor.execute("SELECT x FROM t ORDER BY x")
            assert [row[0] for row in cursor.fetchall()] == [1, 2]
        assert time.monotonic() - started >= 0.04
    finally:
        first.close()
        second.close()
