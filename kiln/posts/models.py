"""Posts, shaped like a Mastodon Status: ids, visibility, in_reply_to, reblog, attachments.

A repost is a Post whose `reblog` points at the original (as in Mastodon), so one timeline
table carries both. A quote is a Post with `quote` set and its own text.
"""

from django.conf import settings
from django.db import models

from kiln.core.models import BaseModel


class Post(BaseModel):
    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public"
        FOLLOWERS = "followers", "Followers only"

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts"
    )
    text = models.TextField(max_length=2000, blank=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    content_warning = models.CharField(max_length=200, blank=True)
    is_mature = models.BooleanField(default=False)
    in_reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    # The root of the thread this post belongs to (itself for a top-level post's replies' root).
    thread_root = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="thread_posts"
    )
    reblog = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="reblogs"
    )
    quote = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="quotes"
    )
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Denormalised counters, updated in the same transaction as the row they count.
    replies_count = models.PositiveIntegerField(default=0)
    reblogs_count = models.PositiveIntegerField(default=0)
    likes_count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["author", "-id"], name="post_author_newest"),
            models.Index(fields=["thread_root", "id"], name="post_thread"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "reblog"],
                condition=models.Q(reblog__isnull=False),
                name="post_one_reblog_per_author",
            )
        ]

    def __str__(self) -> str:
        return f"Post {self.pk} by {self.author_id}"


class PostAttachment(models.Model):
    """An image on a post: a media asset plus the alt text written for this use."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attachments")
    asset = models.ForeignKey("media.MediaAsset", on_delete=models.PROTECT, related_name="+")
    alt_text = models.CharField(max_length=1500, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["post", "asset"], name="attachment_unique")]

    def __str__(self) -> str:
        return f"Attachment {self.asset_id} on {self.post_id}"
