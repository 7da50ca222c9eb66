"""Screening verdicts and their evidence, appeals, perceptual hashes, repost matches and
takedown requests. One screening per MediaAsset."""

from django.conf import settings
from django.db import models

from kiln.core.models import BaseModel


class Screening(BaseModel):
    """What the screening of an original found, and what that means for publishing."""

    class Verdict(models.TextChoices):
        CLEAN = "clean", "No AI-generation signal"
        AI = "ai", "AI-generated"
        COMPOSITE = "composite", "Composite with AI-generated parts"

    class State(models.TextChoices):
        CLEAR = "clear", "Clear to publish"
        HELD = "held", "Held for review"
        LABELLED = "labelled", "Published with an AI label"
        RELEASED = "released", "Released by staff"
        REJECTED = "rejected", "Hold confirmed by staff"

    asset = models.OneToOneField(
        "media.MediaAsset", on_delete=models.CASCADE, related_name="screening"
    )
    verdict = models.CharField(max_length=10, choices=Verdict.choices, default=Verdict.CLEAN)
    state = models.CharField(max_length=10, choices=State.choices, default=State.CLEAR)
    policy = models.CharField(max_length=5)  # KILN_AI_POLICY when screened: hold|label|allow
    errors = models.JSONField(default=list, blank=True)  # malformed metadata notes, for staff
    timings_ms = models.JSONField(default=dict, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state"], name="screening_state")]

    def __str__(self) -> str:
        return f"Screening of {self.asset_id}: {self.verdict}/{self.state}"


class Finding(models.Model):
    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="findings")
    signal = models.CharField(max_length=60)  # e.g. "png:parameters", "watermark:dwtDct"
    generator = models.CharField(max_length=120)
    model = models.CharField(max_length=120, blank=True)
    evidence = models.CharField(max_length=400)
    composite = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.signal}: {self.generator}"


class Appeal(BaseModel):
    class State(models.TextChoices):
        OPEN = "open", "Waiting for staff"
        ACCEPTED = "accepted", "Accepted: released"
        REJECTED = "rejected", "Rejected: hold kept"

    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="appeals")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provenance_appeals"
    )
    message = models.TextField(max_length=2000)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    staff_note = models.CharField(max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "id"], name="appeal_queue")]
        constraints = [
            models.UniqueConstraint(
                fields=["screening"],
                condition=models.Q(state="open"),
                name="appeal_one_open_per_screening",
            )
        ]

    def __str__(self) -> str:
        return f"Appeal {self.pk} ({self.state})"


class ImageHash(models.Model):
    """A PDQ hash of an asset (whole image or one of its crops); the in-memory index is
    rebuilt from these rows."""

    asset = models.ForeignKey("media.MediaAsset", on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)  # "full", "crop95-0-0.5", ...
    bits = models.BinaryField(max_length=32)
    quality = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [models.Index(fields=["asset"], name="imagehash_asset")]

    def __str__(self) -> str:
        return f"{self.kind} {bytes(self.bits).hex()}"


class ImageFeatures(models.Model):
    """ORB keypoints of an asset, for crop/pad-robust verification."""

    asset = models.OneToOneField(
        "media.MediaAsset", on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    blob = models.BinaryField()

    def __str__(self) -> str:
        return f"features of {self.asset_id}"


class RepostMatch(BaseModel):
    """An upload that looks like another artist's work. Holds the upload until answered."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for the original artist"
        TAKEDOWN = "takedown", "Takedown requested"
        DISMISSED = "dismissed", "The artist said it's fine"
        REMOVED = "removed", "Taken down by staff"
        RELEASED = "released", "Takedown refused by staff"

    upload = models.ForeignKey(
        "media.MediaAsset", on_delete=models.CASCADE, related_name="repost_matches"
    )
    original = models.ForeignKey(
        "media.MediaAsset", on_delete=models.CASCADE, related_name="reposted_as"
    )
    original_artist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="repost_matches"
    )
    method = models.CharField(max_length=10)  # "pdq" or "keypoints"
    distance = models.PositiveSmallIntegerField(null=True, blank=True)
    inliers = models.PositiveIntegerField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["upload", "original"], name="repost_match_unique")
        ]
        indexes = [models.Index(fields=["original_artist", "-id"], name="repost_match_artist")]

    def __str__(self) -> str:
        return f"{self.upload_id} looks like {self.original_id} ({self.state})"


class TakedownRequest(BaseModel):
    class State(models.TextChoices):
        OPEN = "open", "Waiting for staff"
        DONE = "done", "Taken down"
        REFUSED = "refused", "Refused"

    match = models.OneToOneField(RepostMatch, on_delete=models.CASCADE, related_name="takedown")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    message = models.TextField(max_length=2000, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Takedown {self.pk} ({self.state})"


from kiln.provenance.process_models import ProcessEvidence  # noqa: E402, F401 - issue 17
