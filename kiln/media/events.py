"""What the media pipeline asks of the apps that use it, without knowing them.

Sent from `kiln/media/services.py` in the worker; subscribers register in their `AppConfig.ready()`:
the shield draws its visible watermark, provenance screens each original before any rendition
exists.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pyvips

from kiln.accounts.models import User
from kiln.core.events import Event
from kiln.media.models import MediaAsset

ImageTransform = Callable[[pyvips.Image], pyvips.Image]


@dataclass(frozen=True)
class WatermarkRequest:
    owner: User


@dataclass(frozen=True)
class OriginalReceived:
    asset: MediaAsset


# Each subscriber answers with a transform to apply to every rendition, or None.
rendition_watermark: Event[WatermarkRequest, ImageTransform | None] = Event("rendition_watermark")
# Subscribers screen the original before renditions are made. Screening fails closed: a
# subscriber that raises fails the processing with a reason the artist can read and retry,
# since an unscreened asset would otherwise publish unchecked.
original_received: Event[OriginalReceived, None] = Event("original_received")


@dataclass(frozen=True)
class WithheldQuery:
    """An expression for an asset's id (an OuterRef) that a subscriber's filter tests."""

    asset_ref: object


# Each subscriber answers with a filter (a Q) that is true for assets that must not be served
# to anyone but their owner and staff (provenance: held for review), or None. Serving a
# rendition evaluates them inside its one query.
withheld_assets: Event[WithheldQuery, object] = Event("withheld_assets")


@dataclass(frozen=True)
class AssetFilesQuery:
    asset_ids: list[int]


# Each subscriber answers with the keys in private storage that belong to these assets besides
# their original and master (provenance: process evidence), so that deleting an asset, or an
# account, deletes them with it.
asset_private_files: Event[AssetFilesQuery, list[str]] = Event("asset_private_files")


def private_files_of(asset_ids) -> list[str]:
    """Every subscriber's keys for these assets, in one list."""
    answers = asset_private_files.send(AssetFilesQuery(asset_ids=list(asset_ids)))
    return [key for keys in answers for key in keys]


@dataclass(frozen=True)
class AssetDeleting:
    asset: MediaAsset


# Sent by media_asset_delete before the row goes, in its transaction: subscribers delete what
# hangs off the asset in their app (provenance: the stages shown beside the work).
asset_deleting: Event[AssetDeleting, None] = Event("asset_deleting")
