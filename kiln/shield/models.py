"""The shield's data: watermark choices, admin-added crawler tokens, refusal tallies, bans."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models


class WatermarkPreference(models.Model):
    """An artist's optional visible watermark: their @handle in a corner, at an opacity."""

    class Corner(models.TextChoices):
        TOP_LEFT = "top-left", "Top left"
        TOP_RIGHT = "top-right", "Top right"
        BOTTOM_LEFT = "bottom-left", "Bottom left"
        BOTTOM_RIGHT = "bottom-right", "Bottom right"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="watermark_preference",
    )
    enabled = models.BooleanField(default=False)
    corner = models.CharField(max_length=12, choices=Corner.choices, default=Corner.BOTTOM_RIGHT)
    # Percent; below 10 the mark is invisible, so the form refuses it.
    opacity = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(10), MaxValueValidator(100)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        state = "on" if self.enabled else "off"
        return f"Watermark {state} for {self.user_id} ({self.corner}, {self.opacity}%)"


class CrawlerToken(models.Model):
    """A user-agent product token an admin adds on top of the shipped list."""

    token = models.CharField(
        max_length=80,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9][A-Za-z0-9._\-/ ]*$",
                "Use letters, digits, dots, dashes, slashes and spaces only.",
            )
        ],
        help_text="Matched as a whole product token in the User-Agent, ignoring case.",
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["token"]

    def __str__(self) -> str:
        return self.token


class RefusalTally(models.Model):
    """How many requests the shield refused, per day and reason (admins see the counts)."""

    class Reason(models.TextChoices):
        AI_CRAWLER = "ai_crawler", "AI crawler user agent"
        RATE_PAGES = "rate_pages", "Page rate limit"
        RATE_RENDITIONS = "rate_renditions", "Rendition rate limit"
        HONEYPOT_HIT = "honeypot_hit", "Followed the honeypot link"
        HONEYPOT_IGNORED = "honeypot_ignored", "Honeypot hit, no ban (cross-site or signed in)"
        HONEYPOT_BANNED = "honeypot_banned", "Banned after the honeypot"

    day = models.DateField()
    reason = models.CharField(max_length=20, choices=Reason.choices)
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "reason"], name="refusal_tally_day_reason")
        ]
        ordering = ["-day", "reason"]

    def __str__(self) -> str:
        return f"{self.day} {self.reason}: {self.count}"


class HoneypotBan(models.Model):
    """A client (address and user agent) refused images after following the trap link.

    The store (kiln/shield/store.py) enforces it; this row is what admins see and lift."""

    ident = models.CharField(max_length=100, db_index=True)
    client = models.CharField("address", max_length=64)
    user_agent = models.CharField(max_length=400, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Ban on {self.client} until {self.expires_at:%Y-%m-%d %H:%M}"
