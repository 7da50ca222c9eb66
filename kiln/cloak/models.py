"""Cloak jobs and the artist's default intensity.

The job's state, progress, lease (`locked_until`) and attempt count live on the row, so a
killed worker loses nothing: the sweeper re-queues a running job whose lease ran out.
"""

from django.conf import settings
from django.db import models

from kiln.core.models import BaseModel


class Intensity(models.TextChoices):
    LOW = "low", "Low (4/255)"
    DEFAULT = "default", "Default (6/255)"
    HIGH = "high", "High (8/255)"


class CloakJob(BaseModel):
    """The cloak of one media asset: one row per asset, re-used when the intensity changes."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    asset = models.OneToOneField(
        "media.MediaAsset", on_delete=models.CASCADE, related_name="cloak_job"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cloak_jobs"
    )
    intensity = models.CharField(max_length=10, choices=Intensity.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    # "Publish now, cloak when ready": the work may be public before the cloak is done.
    publish_before_done = models.BooleanField(default=False)
    progress = models.FloatField(default=0.0)  # 0..1
    eta_seconds = models.PositiveIntegerField(null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.CharField(max_length=300, blank=True)
    # Measures shown to the artist: psnr, ssim, linf, latent_shift, robustness, timings.
    report = models.JSONField(default=dict, blank=True)
    # Private-storage keys of the owner-only previews (before, after, AI clean, AI cloaked).
    preview_keys = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "locked_until"], name="cloak_job_state_lease")]

    def __str__(self) -> str:
        return f"CloakJob {self.pk} ({self.state}, {self.intensity})"

    @property
    def is_active(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)


class CloakPreference(models.Model):
    """Account-wide default: whether new work is cloaked, and how strongly."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cloak_preference"
    )
    cloak_by_default = models.BooleanField(default=False)
    default_intensity = models.CharField(
        max_length=10, choices=Intensity.choices, default=Intensity.DEFAULT
    )

    def __str__(self) -> str:
        return f"cloak preference of {self.user_id}"
