"""Views per work, per post and per profile, one row a day: what the worker flushed from the
shared counters (kiln/insights/store.py). Kept for 90 days."""

from django.conf import settings
from django.db import models


class DailyViews(models.Model):
    class Kind(models.TextChoices):
        PROJECT = "project", "Work"
        POST = "post", "Post"
        PROFILE = "profile", "Profile visit"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    # The project's or post's id; the owner's id for a profile visit.
    object_id = models.BigIntegerField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    views = models.PositiveIntegerField(default=0)
    unique_viewers = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "day"], name="insights_one_row_per_day"
            )
        ]
        indexes = [models.Index(fields=["owner", "day"], name="insights_owner_day")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} on {self.day}: {self.views}"
