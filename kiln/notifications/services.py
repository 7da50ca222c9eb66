"""Writes for notifications. Called by the posts and social services inside their transaction."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kiln.notifications.events import NotificationCreated, notification_created
from kiln.notifications.models import Notification, NotificationPreference
from kiln.social.models import Block, Mute

Kind = Notification.Kind

# Kinds that tell you about your own work (the actor is you): never suppressed as self-caused.
ABOUT_YOUR_OWN_WORK = {Kind.HELD, Kind.EXPORT_READY}

# Kinds where repeating the same action (like, unlike, like) must not notify twice.
DEDUPLICATED_KINDS = {Kind.LIKE, Kind.REPOST, Kind.FOLLOW, Kind.PROJECT_LIKE}


def _suppressed(*, recipient_id: int, actor_id: int, kind: str) -> bool:
    """Nothing from blocked (either way) or muted accounts, nor kinds switched off.

    Theft alerts and moderation notices are the exception to blocks and mutes: someone
    reposting your art must not be able to hide it from you by blocking you first.
    """
    if NotificationPreference.objects.filter(
        user_id=recipient_id, kind=kind, enabled=False
    ).exists():
        return True
    # Nor can a block hide a moderation decision (the actor is the moderator) from its subject.
    if kind in (Kind.REPOST_FOUND, Kind.MODERATION, Kind.REPORT_OUTCOME):
        return False
    if Mute.objects.filter(muter_id=recipient_id, muted_id=actor_id).exists():
        return True
    return Block.objects.filter(
        Q(blocker_id=recipient_id, blocked_id=actor_id)
        | Q(blocker_id=actor_id, blocked_id=recipient_id)
    ).exists()


@transaction.atomic
def notification_create(
    *,
    recipient_id: int,
    actor,
    kind: str,
    post=None,
    project_id: int | None = None,
    repost_match_id: int | None = None,
    asset_id: int | None = None,
) -> Notification | None:
    own_action = recipient_id == actor.pk and kind not in ABOUT_YOUR_OWN_WORK
    if own_action or _suppressed(recipient_id=recipient_id, actor_id=actor.pk, kind=kind):
        return None
    fields = {
        "recipient_id": recipient_id,
        "actor_id": actor.pk,
        "kind": kind,
        "post": post,
        "project_id": project_id,
        "repost_match_id": repost_match_id,
        "asset_id": asset_id,
    }
    if kind in DEDUPLICATED_KINDS:
        notification, created = Notification.objects.get_or_create(**fields)
    else:
        notification, created = Notification.objects.create(**fields), True
    if created:
        notification_created.send(NotificationCreated(notification))
    return notification


def notifications_delete_between(*, user_a_id: int, user_b_id: int) -> None:
    """A block removes what either side was told about the other."""
    Notification.objects.filter(
        Q(recipient_id=user_a_id, actor_id=user_b_id)
        | Q(recipient_id=user_b_id, actor_id=user_a_id)
    ).delete()


def notifications_delete_from(*, recipient_id: int, actor_id: int) -> None:
    Notification.objects.filter(recipient_id=recipient_id, actor_id=actor_id).delete()


def notifications_delete_for_post(*, post) -> None:
    Notification.objects.filter(post=post).delete()


@transaction.atomic
def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def notification_preferences_update(*, user, enabled_kinds: set[str]) -> None:
    """Store the whole set of kinds the user wants; unknown kinds are refused."""
    from django.core.exceptions import ValidationError

    valid = set(Kind.values)
    unknown = set(enabled_kinds) - valid
    if unknown:
        raise ValidationError(f"Unknown notification type: {', '.join(sorted(unknown))}.")
    for kind in valid:
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"enabled": kind in enabled_kinds}
        )


def notification_dismiss(*, user, notification_id: int) -> bool:
    """Delete one of the user's own notifications (another user's id deletes nothing)."""
    deleted, _ = Notification.objects.filter(recipient_id=user.pk, pk=notification_id).delete()
    return bool(deleted)


def notifications_clear(*, user) -> int:
    deleted, _ = Notification.objects.filter(recipient_id=user.pk).delete()
    return deleted
