"""Notifications: one row per event, grouped when read ("A, B and 3 others liked your post")."""

from django.conf import settings
from django.db import models

from kiln.core.models import BaseModel


class Notification(BaseModel):
    class Kind(models.TextChoices):
        LIKE = "like", "Likes"
        REPOST = "repost", "Reposts"
        QUOTE = "quote", "Quotes"
        REPLY = "reply", "Replies"
        MENTION = "mention", "Mentions"
        FOLLOW = "follow", "New followers"
        PROJECT_LIKE = "project_like", "Likes on your projects"
        PROJECT_COMMENT = "project_comment", "Comments on your projects"
        REPOST_FOUND = "repost_found", "Possible reposts of your work"
        HELD = "held", "Your uploads held for review"
        JOB_APPLICATION = "job_application", "Applications to your job listings"
        APPLICATION_UPDATE = "application_update", "Updates on your job applications"
        COMMISSION_UPDATE = "commission_update", "Commission requests and their progress"
        # From kiln.moderation: a statement of reasons, and the outcome of a report.
        MODERATION = "moderation", "Moderation decisions about your account"
        REPORT_OUTCOME = "report_outcome", "Outcomes of your reports"
        EXPORT_READY = "export_ready", "Your data export is ready"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications_caused"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The post the event is about: the liked post, or the reply/quote/mention itself.
    post = models.ForeignKey(
        "posts.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    project_id = models.BigIntegerField(null=True, blank=True)
    # For REPOST_FOUND: the provenance RepostMatch to review (side by side, with the answers).
    repost_match_id = models.BigIntegerField(null=True, blank=True)
    # For HELD: the upload whose findings page says why, with the appeal.
    asset_id = models.BigIntegerField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notification_newest"),
            # The nav badge: a count over this partial index.
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id} from {self.actor_id}"


class NotificationPreference(models.Model):
    """A kind the user switched off. No row means the kind is on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_prefs"
    )
    kind = models.CharField(max_length=20, choices=Notification.Kind.choices)
    enabled = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_pref_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}={self.enabled}"
