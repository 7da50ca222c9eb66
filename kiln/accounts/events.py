"""Events the accounts app sends for higher layers (kiln.core.events)."""

from dataclasses import dataclass

from kiln.core.events import Event


@dataclass(frozen=True)
class ProfileSaved:
    user_id: int


# Sent in the writer's transaction when a profile is created or its public details change.
profile_saved: Event[ProfileSaved, None] = Event("profile_saved")
