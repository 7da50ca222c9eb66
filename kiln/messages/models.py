"""Private conversations between two accounts.

Shaped like Mastodon's conversations (`/api/v1/conversations`): a conversation has members,
each with their own unread flag (Mastodon's AccountConversation), and a last message.
A pair has one direct conversation (`context_key` ""), plus one per commission request or
job application, opened by the hiring app with its own key.
"""

from django.conf import settings
from django.db import models

from kiln.core.models import BaseModel


class Conversation(BaseModel):
    # "<smaller id>:<larger id>" of the two members: one direct thread per pair.
    pair_key = models.CharField(max_length=41)
    # "" for the direct thread; e.g. "commission:<id>" or "application:<id>".
    context_key = models.CharField(max_length=60, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    # Where the thread's context lives (a commission request, an application), if any.
    context_url = models.CharField(max_length=300, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pair_key", "context_key"], name="conversation_pair_context_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Conversation {self.pk} ({self.pair_key} {self.context_key})"


class ConversationMember(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversation_memberships"
    )
    unread = models.BooleanField(default=False)
    last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "user"], name="conversation_member_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["user"], condition=models.Q(unread=True), name="conversation_unread"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.conversation_id}"


class Message(BaseModel):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages_sent"
    )
    body = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["conversation", "id"], name="message_conversation_id")]

    def __str__(self) -> str:
        return f"Message {self.pk} in {self.conversation_id}"


class MessageImage(models.Model):
    """An image sent in a message: a media asset served only to the conversation's members."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="images")
    asset = models.ForeignKey("media.MediaAsset", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"Image {self.asset_id} of message {self.message_id}"


class MessageSettings(models.Model):
    """Who may start a direct conversation with this account. No row means the default."""

    class Allow(models.TextChoices):
        EVERYONE = "everyone", "Everyone"
        FOLLOWING = "following", "People I follow"
        NOBODY = "nobody", "Nobody"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="message_settings",
    )
    allow = models.CharField(max_length=10, choices=Allow.choices, default=Allow.FOLLOWING)

    def __str__(self) -> str:
        return f"{self.user_id} allows {self.allow}"
