"""Commissions: an artist's sheet and tiers, clients' requests, references and deliveries."""

from django.conf import settings
from django.db import models

from kiln.core.models import BaseModel

DEFAULT_TERMS = (
    "Personal use by the client. The artist keeps the copyright. Reuse (prints, merchandise, "
    "commercial use) only as agreed in writing. No AI training, no use in datasets, no NFTs."
)


class CommissionSheet(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        WAITLIST = "waitlist", "Waitlist only"
        CLOSED = "closed", "Closed"

    artist = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="commission_sheet",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CLOSED)
    slots = models.PositiveSmallIntegerField(default=3)  # commissions in hand at once
    terms = models.TextField(max_length=4000, default=DEFAULT_TERMS)
    payment_url = models.URLField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Commission sheet of {self.artist_id} ({self.status})"


class CommissionTier(BaseModel):
    artist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="commission_tiers"
    )
    name = models.CharField(max_length=80)
    description = models.TextField(max_length=2000, blank=True)
    price_from = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    turnaround_days = models.PositiveSmallIntegerField()
    position = models.PositiveSmallIntegerField(default=0)
    # Images from the artist's own published projects.
    examples = models.ManyToManyField("portfolio.ProjectImage", related_name="+", blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.artist_id})"


class CommissionRequest(BaseModel):
    class State(models.TextChoices):
        WAITLISTED = "waitlisted", "Waitlisted"
        REQUESTED = "requested", "Requested"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        IN_PROGRESS = "in_progress", "In progress"
        DELIVERED = "delivered", "Delivered"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    artist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="commissions_received"
    )
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="commissions_requested"
    )
    tier = models.ForeignKey(CommissionTier, null=True, on_delete=models.SET_NULL, related_name="+")
    tier_name = models.CharField(max_length=80)  # as it was when requested
    brief = models.TextField(max_length=4000)
    budget = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    wished_date = models.DateField(null=True, blank=True)
    # The licence agreed: the artist's terms when the request was made.
    licence_terms = models.TextField(max_length=4000)
    state = models.CharField(max_length=12, choices=State.choices, default=State.REQUESTED)
    # Set by the artist on accepting. Payment happens outside Kiln for now; a provider would
    # record its reference here and gate `in_progress` on it.
    agreed_price = models.PositiveIntegerField(null=True, blank=True)
    payment_reference = models.CharField(max_length=200, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["artist", "state"], name="commission_artist_state"),
            models.Index(fields=["client", "-id"], name="commission_client_newest"),
        ]

    def __str__(self) -> str:
        return f"Commission {self.pk} ({self.state})"


class CommissionReference(models.Model):
    """A reference image from the client: private to the artist and the client."""

    request = models.ForeignKey(
        CommissionRequest, on_delete=models.CASCADE, related_name="references"
    )
    asset = models.ForeignKey("media.MediaAsset", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"Reference {self.asset_id} of {self.request_id}"


class CommissionDelivery(BaseModel):
    """A final file: the licensed copy (XMP rights + signed C2PA) in private storage, served
    to the client alone."""

    request = models.ForeignKey(
        CommissionRequest, on_delete=models.CASCADE, related_name="deliveries"
    )
    file_key = models.CharField(max_length=200)
    filename = models.CharField(max_length=120)
    content_type = models.CharField(max_length=40)
    bytes = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    c2pa_signed = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Delivery {self.pk} of {self.request_id}"
