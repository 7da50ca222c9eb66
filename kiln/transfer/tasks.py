"""Background entry points for leaving and arriving (thin wrappers around the services)."""

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_tasks import task

from kiln.transfer import export, imports, purge


@task(queue_name="low")
def account_purge_task(closure_id: int, as_of: str = "") -> bool:
    """`as_of`: the sweep's clock (ISO), so a test's clock reaches the job too."""
    return purge.account_purge(closure_id=closure_id, now=parse_datetime(as_of) if as_of else None)


@task(queue_name="low")
def data_export_task(export_id: int) -> bool:
    return export.data_export_build(export_id=export_id)


@task(queue_name="low")
def instagram_import_task(batch_id: int) -> bool:
    return imports.instagram_import_process(batch_id=batch_id)


def transfer_sweep(*, now=None) -> int:
    """Queue every deletion whose grace period is over (or whose worker died); release
    usernames whose hold has lapsed. Run by each `db_worker` every few minutes."""
    now = now or timezone.now()
    due = purge.accounts_due(now=now)
    for closure_id in due:
        account_purge_task.enqueue(closure_id=closure_id, as_of=now.isoformat())
    purge.retired_usernames_release(now=now)
    export.data_exports_expire(now=now)
    for batch_id in imports.imports_stuck(now=now):  # a worker died mid-import: resume it
        instagram_import_task.enqueue(batch_id=batch_id)
    return len(due)
