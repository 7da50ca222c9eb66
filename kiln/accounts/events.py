"""What accounts tell the apps above it.

`profile_image_saving` is sent from `profile_images_update` with each new avatar or banner,
before it is stored; a subscriber may answer with new bytes (the shield marks them with the same
rights XMP, EXIF and C2PA as renditions). The last answer that is not None is stored.

`profile_saved` is sent in the writer's transaction when a profile is created or its public
details change (search keeps its artist documents with it).
"""

from dataclasses import dataclass

from kiln.core.events import Event


@dataclass(frozen=True)
class ProfileSaved:
    user_id: int


# Sent in the writer's transaction when a profile is created or its public details change.
profile_saved: Event[ProfileSaved, None] = Event("profile_saved")


@dataclass(frozen=True)
class ProfileImage:
    username: str
    display_name: str
    kind: str  # "avatar" or "banner"
    data: bytes  # WebP, as kiln/accounts/images.py encoded it


profile_image_saving: Event[ProfileImage, bytes | None] = Event("profile_image_saving")
