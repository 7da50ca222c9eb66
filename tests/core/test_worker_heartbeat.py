"""Issue 25, point 10: a worker's start (and each heartbeat) reclaims what a dead worker held,
knowing which worker held it, within seconds rather than after the 300 s lease."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kiln.core import worker
from kiln.core.models import WorkerHeartbeat
from kiln.media import services
from kiln.media.models import MediaAsset
from tests.media import images


def _running_task(worker_id: str) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="kiln.media.tasks.media_asset_process_task",
        worker_ids=[worker_id],
        queue_name="default",
        backend_name="default",
        run_after=timezone.now(),
        started_at=timezone.now(),
    )


@pytest.mark.django_db
def test_a_dead_workers_upload_and_task_are_reclaimed_within_seconds(
    make_user, monkeypatch, django_capture_on_commit_callbacks
):
    owner = make_user("ana")
    with django_capture_on_commit_callbacks(execute=False):
        dead_asset = services.media_asset_create(owner=owner, upload=images.png())
        live_asset = services.media_asset_create(owner=owner, upload=images.png(40, 30))
    for worker_id, asset in (("dead-worker", dead_asset), ("live-worker", live_asset)):
        monkeypatch.setattr(worker, "_current_worker_id", worker_id)
        services._claim(asset.pk)  # a 300 s lease, held by that worker
        worker.heartbeat_beat(worker_id=worker_id)
    dead_task, live_task = _running_task("dead-worker"), _running_task("live-worker")
    monkeypatch.setattr(worker, "_current_worker_id", None)

    # The dead worker's last beat was DEAD_AFTER + 1 seconds ago; the live one just beat.
    silent = timezone.now() - timedelta(seconds=worker.DEAD_AFTER + 1)
    WorkerHeartbeat.objects.filter(worker_id="dead-worker").update(beat_at=silent)
    with django_capture_on_commit_callbacks(execute=True):
        assert worker.reclaim_dead_workers() == ["dead-worker"]

    dead_asset.refresh_from_db()
    assert dead_asset.state == MediaAsset.State.READY  # re-queued and (inline) rendered
    assert dead_asset.attempts == 2  # the dead worker's attempt still counts (poison files)
    dead_task.refresh_from_db()
    assert dead_task.status == TaskResultStatus.FAILED
    assert "died" in dead_task.traceback
    live_asset.refresh_from_db()
    live_task.refresh_from_db()
    assert live_asset.state == MediaAsset.State.PROCESSING and live_asset.locked_by == "live-worker"
    assert live_task.status == TaskResultStatus.RUNNING
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["live-worker"]
    assert worker.reclaim_dead_workers() == []  # once only


@pytest.mark.django_db
def test_worker_start_registers_its_heartbeat(monkeypatch):
    started = []
    monkeypatch.setattr(
        worker.threading,
        "Thread",
        lambda **kw: type("T", (), {"start": lambda self: started.append(kw["name"])})(),
    )
    monkeypatch.setattr(worker.checkpoints, "start_checkpointer", lambda: None)
    worker_id = uuid.uuid4().hex
    worker.worker_start(worker_id=worker_id, queues="default,low")
    beat = WorkerHeartbeat.objects.get(worker_id=worker_id)
    assert beat.queues == "default,low" and worker.current_worker_id() == worker_id
    assert "worker-heartbeat" in started
    monkeypatch.setattr(worker, "_current_worker_id", None)
