"""Writes for messages: open a conversation, send, mark read, the who-may-message setting."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kiln.core.access import AccessDenied
from kiln.messages.images import private_images_create
from kiln.messages.models import (
    Conversation,
    ConversationMember,
    Message,
    MessageImage,
    MessageSettings,
)
from kiln.messages.selectors import (
    conversation_other,
    direct_message_refusal,
    pair_key,
)
from kiln.social.selectors import is_blocked_between

MAX_IMAGES = 4
MAX_BODY = 5000


def _get_or_create(*, a, b, context_key: str, subject: str, context_url: str) -> Conversation:
    key = pair_key(a.pk, b.pk)
    conversation = Conversation.objects.filter(pair_key=key, context_key=context_key).first()
    if conversation is not None:
        return conversation
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                pair_key=key, context_key=context_key, subject=subject, context_url=context_url
            )
            ConversationMember.objects.bulk_create(
                [
                    ConversationMember(conversation=conversation, user=a),
                    ConversationMember(conversation=conversation, user=b),
                ]
            )
    except IntegrityError:  # opened by the other side at the same moment
        conversation = Conversation.objects.get(pair_key=key, context_key=context_key)
    return conversation


@transaction.atomic
def conversation_open_direct(*, sender, recipient) -> Conversation:
    """The pair's direct thread, if the recipient's setting and blocks allow it."""
    refusal = direct_message_refusal(sender=sender, recipient=recipient)
    if refusal:
        raise AccessDenied(refusal)
    return _get_or_create(a=sender, b=recipient, context_key="", subject="", context_url="")


@transaction.atomic
def conversation_open_for_context(
    *, starter, other, context_key: str, subject: str, context_url: str = ""
) -> Conversation:
    """A thread about one commission request or job application (the hiring app calls this).

    The recipient's message setting does not apply (they published the sheet or the job),
    blocks do."""
    if not context_key:
        raise ValueError("A context thread needs a context key.")
    if starter.pk == other.pk:
        raise ValidationError("You can't message yourself.")
    if is_blocked_between(starter.pk, other.pk):
        raise AccessDenied(f"You can't message @{other.username}.")
    return _get_or_create(
        a=starter,
        b=other,
        context_key=context_key,
        subject=subject[:200],
        context_url=context_url[:300],
    )


@transaction.atomic
def message_send(*, sender, conversation: Conversation, body: str, images=()) -> Message:
    """Send text and up to four images. Refused (nothing written, nothing stored) for a
    non-member, across a block, to a closed account, or when empty or too long."""
    members = {m.user_id: m for m in conversation.members.select_related("user")}
    if not sender.is_authenticated or sender.pk not in members:
        raise AccessDenied("You are not in this conversation.")
    other = conversation_other(conversation, sender)
    if other is None or not other.is_active:
        raise ValidationError("That account no longer exists.")
    if is_blocked_between(sender.pk, other.pk):
        raise AccessDenied("This conversation has ended.")
    body = (body or "").strip()
    images = [image for image in images if image]
    if not body and not images:
        raise ValidationError("Write a message or attach an image.")
    if len(body) > MAX_BODY:
        raise ValidationError(f"Messages are at most {MAX_BODY:,} characters.")
    if len(images) > MAX_IMAGES:
        raise ValidationError(f"Attach at most {MAX_IMAGES} images.")
    now = timezone.now()
    message = Message.objects.create(conversation=conversation, sender=sender, body=body)
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=now)
    conversation.last_message_at = now
    ConversationMember.objects.filter(conversation=conversation).exclude(user=sender).update(
        unread=True
    )
    # Files last: every row above is written before any original is stored.
    assets = private_images_create(owner=sender, uploads=images, limit=MAX_IMAGES)
    MessageImage.objects.bulk_create(
        [MessageImage(message=message, asset=a, position=i) for i, a in enumerate(assets)]
    )
    return message


@transaction.atomic
def conversation_mark_read(*, user, conversation: Conversation) -> None:
    ConversationMember.objects.filter(conversation=conversation, user=user, unread=True).update(
        unread=False, last_read_at=timezone.now()
    )


@transaction.atomic
def message_settings_update(*, user, allow: str) -> MessageSettings:
    if allow not in MessageSettings.Allow.values:
        raise ValidationError("Choose who may message you: everyone, people you follow, nobody.")
    row, _ = MessageSettings.objects.update_or_create(user=user, defaults={"allow": allow})
    return row
