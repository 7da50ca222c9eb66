"""Reads for media assets, with their renditions prefetched."""

from django.db.models import QuerySet

from kiln.media.delivery import rendition_url  # noqa: F401 - re-exported for other apps
from kiln.media.models import MediaAsset, Rendition


def media_assets_with_renditions() -> QuerySet[MediaAsset]:
    return MediaAsset.objects.prefetch_related("renditions")


def media_asset_for_owner(*, owner, asset_id: int) -> MediaAsset | None:
    """The asset if `owner` owns it (None otherwise: callers answer 404, never 403)."""
    if not owner.is_authenticated:
        return None
    return MediaAsset.objects.filter(pk=asset_id, owner=owner).first()


def rendition_for_serving(*, key: str) -> dict | None:
    """What serving a rendition needs, in one query: its format, size and the owner's
    image-search consent (for the shield's `noimageindex`)."""
    return (
        Rendition.objects.filter(key=key)
        .values("format", "bytes", "asset__owner__profile__allow_image_search")
        .first()
    )
