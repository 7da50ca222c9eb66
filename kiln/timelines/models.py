"""The Following timeline, materialised: one row per (reader, post), written by fan-out."""

from django.conf import settings
from django.db import models


class TimelineEntry(models.Model):
    """A post (or repost) in one user's Following timeline.

    Ordered by `post_id`: post ids are time-sortable, so the unique (user, post) index is also
    the "newest first" index and the cursor is just a post id. `author_id` (who posted or
    reposted) and `origin_author_id` (who wrote the original, for reposts) are plain integers,
    not foreign keys: removal on unfollow and mutes at read time filter on them within one
    user's rows, so they need no index of their own and add nothing to the cost of fan-out.
    """

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="+")
    author_id = models.BigIntegerField()
    origin_author_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "post"], name="timeline_entry_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.post_id} in {self.user_id}'s timeline"


class TimelineRebuild(models.Model):
    """A returning user's timeline being rebuilt; the page says "catching up…" until done."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    requested_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"rebuild of {self.user_id}"

    @property
    def in_progress(self) -> bool:
        return self.finished_at is None
