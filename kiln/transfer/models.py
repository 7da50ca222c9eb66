"""Rows for leaving Kiln: a closing account, a retired username, a data export.

Background state lives on the rows (state, attempts, locked_until), so a killed worker
resumes where it stopped.
"""

from django.conf import settings
from django.db import models

from kiln.core.models import BaseModel


class AccountClosure(BaseModel):
    """An account that is deactivated, or waiting out its grace period before deletion."""

    class State(models.TextChoices):
        DEACTIVATED = "deactivated", "Deactivated"
        PENDING = "pending", "Deletion scheduled"
        PURGING = "purging", "Being deleted"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="closure"
    )
    state = models.CharField(max_length=12, choices=State.choices)
    purge_after = models.DateTimeField(null=True, blank=True)
    # The purge's last finished step, for the progress shown to staff and for the tests.
    step = models.CharField(max_length=20, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "purge_after"], name="closure_due")]

    def __str__(self) -> str:
        return f"closure of {self.user_id} ({self.state})"


class RetiredUsername(models.Model):
    """A deleted account's username, held so nobody can pose as its artist straight away."""

    username = models.CharField(max_length=30, unique=True)  # lower-cased
    until = models.DateTimeField()

    def __str__(self) -> str:
        return self.username


class DataExport(BaseModel):
    """A ZIP of everything an account holds, built in the background, kept for 7 days."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting"
        BUILDING = "building", "Being built"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    key = models.CharField(max_length=200, blank=True)  # in storages["private"]
    bytes = models.BigIntegerField(default=0)
    expires_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    failure_reason = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"export {self.pk} of {self.owner_id} ({self.state})"
