from django.db import models

from kiln.core.ids import new_id


class BaseModel(models.Model):
    """Time-sortable id and creation time for every domain row."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=False)

    class Meta:
        abstract = True


class WorkerHeartbeat(models.Model):
    """A running `db_worker`, seen alive at `beat_at` (kiln/core/worker.py). A worker whose
    beat is older than DEAD_AFTER is dead: what it held is reclaimed at once, not when a
    5-minute lease runs out."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    pid = models.IntegerField()
    host = models.CharField(max_length=255)
    queues = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"worker {self.worker_id} ({self.host}:{self.pid})"
