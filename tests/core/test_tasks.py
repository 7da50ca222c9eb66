"""`enqueue_with_transaction`: a task exists exactly when the writes it follows do."""

import pytest
from django.db import transaction
from django.test import override_settings
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from kiln.core.tasks import enqueue_with_transaction
from kiln.settings import KILN_TASK_QUEUES

pytestmark = pytest.mark.django_db(transaction=True)

ran: list[int] = []


@task(queue_name="default")
def record(*, number: int) -> None:
    ran.append(number)


DATABASE_QUEUE = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": KILN_TASK_QUEUES}
}


@override_settings(TASKS=DATABASE_QUEUE)
def test_database_queue_writes_the_task_in_the_callers_transaction():
    with transaction.atomic():
        enqueue_with_transaction(record, number=1)
        # Written already, inside the transaction: it commits with the caller's rows.
        assert DBTaskResult.objects.filter(task_path__endswith="record").count() == 1
    assert DBTaskResult.objects.filter(task_path__endswith="record").count() == 1


@override_settings(TASKS=DATABASE_QUEUE)
def test_database_queue_task_rolls_back_with_the_caller():
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_with_transaction(record, number=2)
        raise RuntimeError("the post failed")
    assert not DBTaskResult.objects.filter(task_path__endswith="record").exists()


def test_other_queues_get_the_task_on_commit_only():
    """Any other queue (the tests' inline one here) could run the task before the rows it
    reads are visible, so it is sent on commit, and never for a rolled-back transaction."""
    ran.clear()
    with transaction.atomic():
        enqueue_with_transaction(record, number=3)
        assert ran == []
    assert ran == [3]
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_with_transaction(record, number=4)
        raise RuntimeError("the post failed")
    assert ran == [3]
