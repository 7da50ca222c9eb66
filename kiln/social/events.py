"""What the social graph tells the apps above it (timelines, notifications).

Sent from `kiln/social/services.py` inside the write's transaction; subscribers register in
their `AppConfig.ready()`.
"""

from dataclasses import dataclass

from kiln.accounts.models import User
from kiln.core.events import Event


@dataclass(frozen=True)
class FollowChange:
    follower: User
    followed: User


@dataclass(frozen=True)
class BlockCreated:
    blocker: User
    blocked: User


@dataclass(frozen=True)
class MuteCreated:
    muter: User
    muted: User


follow_created: Event[FollowChange, None] = Event("follow_created")
follow_removed: Event[FollowChange, None] = Event("follow_removed")
block_created: Event[BlockCreated, None] = Event("block_created")
mute_created: Event[MuteCreated, None] = Event("mute_created")
