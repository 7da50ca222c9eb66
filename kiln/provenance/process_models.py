"""Process evidence an artist attaches to a work: a layered source file or WIP stages.

Only evidence that passed Kiln's checks is stored (a mismatching file is refused, not kept),
so a row here is what the "process verified" mark means. The files themselves sit in
private storage under random keys: never served, never used for anything else.
"""

from django.conf import settings
from django.db import models

from kiln.core.models import BaseModel


class ProcessEvidence(BaseModel):
    class Kind(models.TextChoices):
        LAYERED = "layered", "Layered source file"
        STAGES = "stages", "Work-in-progress stages"
        TIMELAPSE = "timelapse", "Timelapse video"

    asset = models.ForeignKey(
        "media.MediaAsset", on_delete=models.CASCADE, related_name="process_evidence"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="process_evidence"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    file_format = models.CharField(max_length=12)  # psd|kra|ora|procreate|stages|mp4|webm
    layer_count = models.PositiveIntegerField(default=0)
    stage_count = models.PositiveSmallIntegerField(default=0)
    # Perceptual-hash distance (PDQ bits of 256) between the flattened file and the work,
    # and the share of bits that agree; for stages, the last stage's similarity.
    hash_distance = models.PositiveSmallIntegerField(null=True, blank=True)
    match_score = models.FloatField()
    stage_similarities = models.JSONField(default=list, blank=True)
    note = models.CharField(max_length=200, blank=True)  # how the flat image was obtained
    file_keys = models.JSONField(default=list)  # keys in storages["private"]
    # A timelapse: its length, its frame count, and the frames Kiln sampled from it (PNGs in
    # storages["private"], oldest first), which the artist may choose to show as stages.
    video_seconds = models.FloatField(null=True, blank=True)
    frame_count = models.PositiveIntegerField(default=0)
    frame_keys = models.JSONField(default=list, blank=True)
    # The artist's choice to show the stages (or the sampled frames) on the work's page, as
    # protected renditions. Off unless they turn it on.
    show_on_work = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["asset", "-id"], name="process_evidence_asset")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.asset_id} ({self.match_score:.2f})"


class ProcessStageImage(BaseModel):
    """A stage (or a timelapse frame) the artist chose to show on the work's page. It is a
    media asset of its own, made from a copy of the stage, so it gets the work's protections
    (watermark, rights reservations, screening, shield headers on every rendition); the
    evidence files themselves are never served."""

    evidence = models.ForeignKey(ProcessEvidence, on_delete=models.CASCADE, related_name="shown")
    asset = models.OneToOneField(
        "media.MediaAsset", on_delete=models.CASCADE, related_name="process_stage"
    )
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["evidence_id", "position"]

    def __str__(self) -> str:
        return f"Stage {self.position} of {self.evidence_id}"
