"""What provenance tells the apps above it (notifications): a suspected copy was found."""

from dataclasses import dataclass

from kiln.accounts.models import User
from kiln.core.events import Event


@dataclass(frozen=True)
class RepostFound:
    match_id: int
    original_artist_id: int
    uploader: User


repost_found: Event[RepostFound, None] = Event("repost_found")
