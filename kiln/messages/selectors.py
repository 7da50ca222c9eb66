"""Reads for messages: who may write to whom, a member's conversations, the unread badge."""

from dataclasses import dataclass

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from kiln.messages.models import Conversation, ConversationMember, Message, MessageSettings
from kiln.social.models import Follow
from kiln.social.selectors import blocked_user_ids, is_blocked_between


def pair_key(a_id: int, b_id: int) -> str:
    low, high = sorted((a_id, b_id))
    return f"{low}:{high}"


def message_allow_setting(user) -> str:
    row = MessageSettings.objects.filter(user_id=user.pk).values_list("allow", flat=True).first()
    return row or MessageSettings.Allow.FOLLOWING


def direct_message_refusal(*, sender, recipient) -> str | None:
    """Why `sender` may not start a direct conversation with `recipient`, or None if they may.

    Blocks refuse both ways. Otherwise the recipient's setting decides: everyone; people they
    follow (the default); or nobody. Threads opened by a commission request or a job
    application skip the setting (the recipient invited them) but never a block.
    """
    if not sender.is_authenticated:
        return "Log in to send messages."
    if sender.pk == recipient.pk:
        return "You can't message yourself."
    if not recipient.is_active:
        return "That account no longer exists."
    if is_blocked_between(sender.pk, recipient.pk):
        return f"You can't message @{recipient.username}."
    allow = message_allow_setting(recipient)
    if allow == MessageSettings.Allow.EVERYONE:
        return None
    if allow == MessageSettings.Allow.FOLLOWING and (
        Follow.objects.filter(follower_id=recipient.pk, followed_id=sender.pk).exists()
    ):
        return None
    return (
        f"@{recipient.username} only takes messages from people they follow."
        if (allow == MessageSettings.Allow.FOLLOWING)
        else f"@{recipient.username} doesn't take direct messages."
    )


@dataclass
class ConversationRow:
    conversation: Conversation
    other: object  # the other member (a User)
    unread: bool
    last_body: str


def _with_members(qs: QuerySet[Conversation]) -> QuerySet[Conversation]:
    return qs.prefetch_related(
        Prefetch(
            "members",
            queryset=ConversationMember.objects.select_related("user__profile"),
        )
    )


def conversations_for(*, user, limit: int = 100) -> list[ConversationRow]:
    """The member's conversations, most recent first, without anyone they block or who
    blocks them (a block ends the conversation for both). Two queries, however many."""
    hidden = blocked_user_ids(user)
    last = Message.objects.filter(conversation=OuterRef("pk")).order_by("-id")
    conversations = _with_members(
        Conversation.objects.filter(members__user=user, last_message_at__isnull=False)
        .annotate(last_body=Subquery(last.values("body")[:1]))
        .order_by("-last_message_at")
    )[:limit]
    rows = []
    for conversation in conversations:
        mine = other = None
        for member in conversation.members.all():
            if member.user_id == user.pk:
                mine = member
            else:
                other = member
        if other is None or other.user_id in hidden or not other.user.is_active:
            continue
        rows.append(ConversationRow(conversation, other.user, mine.unread, conversation.last_body))
    return rows


def conversation_for_member(*, user, conversation_id: int) -> Conversation | None:
    """The conversation if `user` is in it and no block stands between its members (None
    otherwise: views answer 404, so a third party learns nothing)."""
    if not user.is_authenticated:
        return None
    conversation = _with_members(
        Conversation.objects.filter(pk=conversation_id, members__user=user)
    ).first()
    if conversation is None:
        return None
    other = conversation_other(conversation, user)
    if other is None or is_blocked_between(user.pk, other.pk):
        return None
    return conversation


def conversation_other(conversation: Conversation, user):
    for member in conversation.members.all():
        if member.user_id != user.pk:
            return member.user
    return None


def conversation_messages(*, conversation: Conversation, limit: int = 200) -> list[Message]:
    """The latest messages, oldest first, with their images."""
    latest = list(
        conversation.messages.select_related("sender__profile")
        .prefetch_related("images")
        .order_by("-id")[:limit]
    )
    return latest[::-1]


def unread_conversation_count(*, user) -> int:
    if not user.is_authenticated:
        return 0
    hidden = blocked_user_ids(user)
    qs = ConversationMember.objects.filter(user=user, unread=True)
    if hidden:
        qs = qs.exclude(conversation__members__user_id__in=hidden)
    return qs.count()


def message_image_for_member(*, user, conversation_id: int, asset_id: int):
    """A message image's asset if `user` may see it: a member of its conversation, no block."""
    conversation = conversation_for_member(user=user, conversation_id=conversation_id)
    if conversation is None:
        return None
    from kiln.messages.models import MessageImage

    image = (
        MessageImage.objects.filter(message__conversation=conversation, asset_id=asset_id)
        .select_related("asset")
        .prefetch_related("asset__renditions")
        .first()
    )
    return image.asset if image else None
