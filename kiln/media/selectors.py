"""Reads for media assets, with their renditions prefetched."""

from django.db.models import QuerySet

from kiln.media.models import MediaAsset, Rendition


def media_assets_with_renditions() -> QuerySet[MediaAsset]:
    return MediaAsset.objects.prefetch_related("renditions")


def media_asset_for_owner(*, owner, asset_id: int) -> MediaAsset | None:
    """The asset if `owner` owns it (None otherwise: callers answer 404, never 403)."""
    if not owner.is_authenticated:
        return None
    return MediaAsset.objects.filter(pk=asset_id, owner=owner).first()


def rendition_by_key(*, key: str) -> Rendition | None:
    return Rendition.objects.filter(key=key).only("key", "format", "bytes").first()
