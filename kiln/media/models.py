"""Uploaded images and their public renditions.

The original file is kept in private storage and never served. Processing state lives on the
row (state, attempts, locked_until), so a killed worker loses nothing: a sweeper re-queues
rows whose lease has expired.
"""

from django.conf import settings
from django.db import models

from kiln.core.models import BaseModel


class MediaAsset(BaseModel):
    class State(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded"
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="media_assets"
    )
    state = models.CharField(max_length=12, choices=State.choices, default=State.UPLOADED)
    # Key of the untouched upload in storages["private"]: a random name, never a URL.
    original_key = models.CharField(max_length=200)
    original_format = models.CharField(max_length=10)  # as identified by the decoder: jpeg, png…
    original_bytes = models.BigIntegerField(default=0)
    original_sha256 = models.CharField(max_length=64, db_index=True)
    # Filled by the worker.
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    is_animated = models.BooleanField(default=False)
    frame_count = models.PositiveIntegerField(default=1)
    blurhash = models.CharField(max_length=100, blank=True)
    dominant_color = models.CharField(max_length=7, blank=True)  # "#rrggbb"
    # Mastodon-style focal point in [-1, 1] for crops.
    focus_x = models.FloatField(default=0.0)
    focus_y = models.FloatField(default=0.0)
    # Background processing bookkeeping.
    attempts = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    # The worker holding the lease (kiln/core/worker.py): when its heartbeat stops, the asset
    # is taken back within seconds instead of when `locked_until` passes.
    locked_by = models.CharField(max_length=64, blank=True, db_index=True)
    failure_reason = models.CharField(max_length=300, blank=True)
    phase_timings = models.JSONField(default=dict, blank=True)  # {"decode": 0.12, …} seconds
    processed_at = models.DateTimeField(null=True, blank=True)
    # The work's page, for the XMP WebStatement; empty means the artist's profile.
    work_url = models.CharField(max_length=300, blank=True)
    # A replacement master in storages["private"] (e.g. the cloaked image): renditions are
    # rebuilt from it instead of the original when set.
    master_key = models.CharField(max_length=200, blank=True)
    # Rendition keys written by an attempt that has not committed yet: the next attempt (or
    # a delete) removes any of them that no Rendition row points at, so a kill leaks nothing.
    pending_keys = models.JSONField(default=list, blank=True)
    # Set when the file itself stopped processing (every attempt died, or the decoder ran out
    # of memory): a retry would only run it again, so neither a retry nor the same bytes again
    # are accepted.
    poisoned = models.BooleanField(default=False)
    # Shown only by the app that owns it, to the people it belongs to (a message image, a
    # commission reference): screened like any upload, but never repost-matched, indexed or
    # registered, since it is often someone else's work shown as a reference.
    is_private = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["state", "locked_until"], name="media_asset_state_lease")]

    def __str__(self) -> str:
        return f"MediaAsset {self.pk} ({self.state})"

    @property
    def is_ready(self) -> bool:
        return self.state == self.State.READY

    @property
    def aspect_ratio(self) -> float:
        return (self.width / self.height) if self.width and self.height else 1.0


class Rendition(models.Model):
    """One public, content-addressed file: a width in a format, rights metadata embedded."""

    class Format(models.TextChoices):
        AVIF = "avif", "AVIF"
        WEBP = "webp", "WebP"
        JPEG = "jpeg", "JPEG"
        GIF = "gif", "GIF"

    asset = models.ForeignKey(MediaAsset, on_delete=models.CASCADE, related_name="renditions")
    format = models.CharField(max_length=5, choices=Format.choices)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    # Key in storages["default"], derived from the content hash: the same bytes, the same URL.
    key = models.CharField(max_length=200, unique=True)
    bytes = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["asset", "format", "width"], name="rendition_unique")
        ]
        ordering = ["width"]

    def __str__(self) -> str:
        return f"{self.format} {self.width}w of {self.asset_id}"
