"""Enqueueing background tasks from inside a transaction."""

from django.db import transaction


def enqueue_with_transaction(task, **kwargs) -> None:
    """Enqueue `task` so that it exists exactly when the caller's writes do.

    With the database task queue (Kiln's default) the task row is written in the caller's
    transaction: it commits or rolls back with them, and a write that the task will read (a
    new post, say) costs no second transaction, no second commit and, on SQLite, no second
    wait for the write lock. With any other queue the task is sent on commit, so no worker can
    pick it up before the rows it reads are visible."""
    from django_tasks_db import DatabaseBackend

    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(**kwargs)
    else:
        transaction.on_commit(lambda: task.enqueue(**kwargs))
