"""What accounts tell the apps above it.

`profile_image_saving` is sent from `profile_images_update` with each new avatar or banner,
before it is stored; a subscriber may answer with new bytes (the shield marks them with the same
rights XMP, EXIF and C2PA as renditions). The last answer that is not None is stored.
"""

from dataclasses import dataclass

from kiln.core.events import Event


@dataclass(frozen=True)
class ProfileImage:
    username: str
    display_name: str
    kind: str  # "avatar" or "banner"
    data: bytes  # WebP, as kiln/accounts/images.py encoded it


profile_image_saving: Event[ProfileImage, bytes | None] = Event("profile_image_saving")
