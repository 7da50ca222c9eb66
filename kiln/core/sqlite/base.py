"""Django's SQLite backend, with waits for the write lock that do not back off.

SQLite has one writer at a time. Its own busy handler makes a writer that finds the lock
taken sleep 1, 2, 5, 10, 15, 20, 25 ms and so on, whatever the lock's holder is doing: a
post that met the lock taken a few times in a row (the worker's fan-out, other posts) slept
through most of 100 ms while the lock sat free. Here SQLite reports a taken lock at once
(`PRAGMA busy_timeout=0`, set in settings) and the statement is tried again every half
millisecond or so, for up to BUSY_TIMEOUT_SECONDS. Only a statement that ran outside a
transaction is tried again (a BEGIN, or a write or read in autocommit): it changed nothing.
Inside a transaction (always BEGIN IMMEDIATE here, so it holds the lock) nothing waits.
"""

import random
import sqlite3
import time

from django.db.backends.sqlite3 import base

BUSY_TIMEOUT_SECONDS = 5.0
RETRY_SECONDS = 0.0005
_SQLITE_BUSY = 5  # the primary result code; extended codes keep it in their low byte


def is_busy(error: Exception) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF == _SQLITE_BUSY
    return "database is locked" in str(error)


def run_waiting_for_lock(raw_connection, statement, *args):
    """`statement(*args)`, tried again while another connection holds the lock, as long as
    no transaction is open on `raw_connection` (the sqlite3 connection)."""
    deadline = None
    while True:
        try:
            return statement(*args)
        except sqlite3.OperationalError as error:
            if raw_connection.in_transaction or not is_busy(error):
                raise
            now = time.monotonic()
            if deadline is None:
                deadline = now + BUSY_TIMEOUT_SECONDS
            elif now >= deadline:
                raise
            # Jittered, so waiting connections do not retry in step.
            time.sleep(RETRY_SECONDS * (0.5 + random.random()))  # noqa: S311 - not crypto


class KilnSQLiteCursor(base.SQLiteCursorWrapper):
    def execute(self, query, params=None):
        return run_waiting_for_lock(self.connection, super().execute, query, params)

    def executemany(self, query, param_list):
        param_list = list(param_list)  # a generator could not be replayed
        return run_waiting_for_lock(self.connection, super().executemany, query, param_list)


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name=None):
        return self.connection.cursor(factory=KilnSQLiteCursor)
