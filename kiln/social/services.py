"""Writes for the social graph. Each change is sent as an event (`kiln/social/events.py`) in
its transaction: notifications and timelines subscribe."""

from django.core.exceptions import ValidationError
from django.db import transaction

from kiln.core.access import AccessDenied
from kiln.social import events
from kiln.social.models import Block, Follow, Mute
from kiln.social.selectors import is_blocked_between


def _require_other_person(*, actor, other, verb: str) -> None:
    if not actor.is_authenticated:
        raise AccessDenied(f"Log in to {verb}.")
    if other.pk == actor.pk:
        raise ValidationError(f"You can't {verb} yourself.")
    if not other.is_active:
        raise ValidationError("That account no longer exists.")


@transaction.atomic
def follow_create(*, follower, followed) -> Follow:
    """Idempotent: following twice returns the existing follow."""
    _require_other_person(actor=follower, other=followed, verb="follow")
    if is_blocked_between(follower.pk, followed.pk):
        raise AccessDenied(f"You can't follow @{followed.username}.")
    follow, created = Follow.objects.get_or_create(follower=follower, followed=followed)
    if created:
        events.follow_created.send(events.FollowChange(follower=follower, followed=followed))
    return follow


@transaction.atomic
def follow_delete(*, follower, followed) -> bool:
    deleted, _ = Follow.objects.filter(follower=follower, followed=followed).delete()
    if deleted:
        events.follow_removed.send(events.FollowChange(follower=follower, followed=followed))
    return bool(deleted)


@transaction.atomic
def block_create(*, blocker, blocked) -> Block:
    """Mutual in effect: removes follows both ways and what each was notified about the other."""
    _require_other_person(actor=blocker, other=blocked, verb="block")
    block, _ = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    for follower, followed in ((blocker, blocked), (blocked, blocker)):
        deleted, _ = Follow.objects.filter(follower=follower, followed=followed).delete()
        if deleted:
            events.follow_removed.send(events.FollowChange(follower=follower, followed=followed))
    events.block_created.send(events.BlockCreated(blocker=blocker, blocked=blocked))
    return block


@transaction.atomic
def block_delete(*, blocker, blocked) -> bool:
    deleted, _ = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    return bool(deleted)


@transaction.atomic
def mute_create(*, muter, muted) -> Mute:
    """One-sided: their posts leave your timelines (at read time) and they stop notifying you."""
    _require_other_person(actor=muter, other=muted, verb="mute")
    mute, _ = Mute.objects.get_or_create(muter=muter, muted=muted)
    events.mute_created.send(events.MuteCreated(muter=muter, muted=muted))
    return mute


@transaction.atomic
def mute_delete(*, muter, muted) -> bool:
    deleted, _ = Mute.objects.filter(muter=muter, muted=muted).delete()
    return bool(deleted)
