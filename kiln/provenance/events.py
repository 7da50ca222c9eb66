"""What provenance tells the apps above it (notifications): a suspected copy was found, or an
artist's upload was held for review."""

from dataclasses import dataclass

from kiln.accounts.models import User
from kiln.core.events import Event


@dataclass(frozen=True)
class RepostFound:
    match_id: int
    original_artist_id: int
    uploader: User


repost_found: Event[RepostFound, None] = Event("repost_found")


@dataclass(frozen=True)
class AssetHeld:
    """An upload newly held for review (AI screening or a suspected repost): its owner is told
    why, with a link to the findings and the appeal."""

    asset_id: int
    owner: User


asset_held: Event[AssetHeld, None] = Event("asset_held")
