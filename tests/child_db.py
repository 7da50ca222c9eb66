"""Hand a child process (a real db_worker, a streaming server) the test's own database."""

import sqlite3
from pathlib import Path

from django.db import connection


def share_test_database(env: dict, var_dir: Path) -> None:
    """Set `env` so that a child sees this test's rows: on SQLite the test database lives in
    memory, so the child gets a file copy at var_dir/kiln.sqlite3 (made once: copy after the
    rows it needs exist); on PostgreSQL, the same database."""
    if connection.vendor == "sqlite":
        env.pop("DATABASE_URL", None)
        if not (var_dir / "kiln.sqlite3").exists():
            dest = sqlite3.connect(var_dir / "kiln.sqlite3")
            connection.ensure_connection()
            connection.connection.backup(dest)
            dest.close()
        return
    db = connection.settings_dict
    env["DATABASE_URL"] = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or 'localhost'}"
        f":{db['PORT'] or 5432}/{db['NAME']}"
    )
