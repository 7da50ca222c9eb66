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
        # Due, but kept whole by a legal hold (kiln.moderation); the purge finishes once the
        # hold is lifted. The artist is told only that the deletion is pending.
        HELD = "held", "Deletion pending"

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


class InstagramImport(BaseModel):
    """One uploaded Instagram archive: received in chunks, read, reviewed, then processed."""

    class State(models.TextChoices):
        UPLOADING = "uploading", "Uploading"
        REVIEW = "review", "Ready to review"
        PROCESSING = "processing", "Importing"
        DONE = "done", "Done"
        REFUSED = "refused", "Refused"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="instagram_imports"
    )
    state = models.CharField(max_length=12, choices=State.choices, default=State.UPLOADING)
    total_bytes = models.BigIntegerField()
    received_bytes = models.BigIntegerField(default=0)
    refusal = models.CharField(max_length=400, blank=True)
    bio = models.TextField(blank=True)
    website = models.CharField(max_length=300, blank=True)
    skipped_videos = models.PositiveIntegerField(default=0)
    cloak_requested = models.BooleanField(default=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    current_item = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"instagram import {self.pk} ({self.state})"


class ImportItem(BaseModel):
    """One Instagram post (a carousel is one item) and what became of it."""

    class Choice(models.TextChoices):
        PROJECT = "project", "Portfolio project"
        POST = "post", "Feed post"
        SKIP = "skip", "Leave out"

    class State(models.TextChoices):
        FOUND = "found", "Found"
        PENDING = "pending", "Waiting"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"
        DUPLICATE = "duplicate", "Already imported"

    batch = models.ForeignKey(InstagramImport, on_delete=models.CASCADE, related_name="items")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)  # FoundPost.key: the same post in a second archive
    position = models.PositiveIntegerField()
    taken_at = models.DateTimeField(null=True, blank=True)
    caption = models.TextField(blank=True)
    location = models.CharField(max_length=200, blank=True)
    media = models.JSONField(default=list)  # [path inside the archive, …]
    choice = models.CharField(max_length=8, choices=Choice.choices, default=Choice.POST)
    state = models.CharField(max_length=10, choices=State.choices, default=State.FOUND)
    # Assets made so far for this item: a resumed job reuses them instead of making more.
    asset_ids = models.JSONField(default=list)
    post_id = models.BigIntegerField(null=True, blank=True)
    project_id = models.BigIntegerField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            # One imported copy of each Instagram post per account, however often it is uploaded.
            models.UniqueConstraint(
                fields=["owner", "key"],
                condition=models.Q(state="done"),
                name="import_item_once_per_owner",
            )
        ]

    def __str__(self) -> str:
        return f"import item {self.key} ({self.state})"
