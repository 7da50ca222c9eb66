"""Reads for media assets, with their renditions prefetched."""

import operator
from functools import reduce

from django.db import router
from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, QuerySet

from kiln.core.fastdb import PreparedQuery
from kiln.media import events
from kiln.media.delivery import rendition_url  # noqa: F401 - re-exported for other apps
from kiln.media.models import MediaAsset, Rendition


def media_assets_with_renditions() -> QuerySet[MediaAsset]:
    return MediaAsset.objects.prefetch_related("renditions")


def media_asset_for_owner(*, owner, asset_id: int) -> MediaAsset | None:
    """The asset if `owner` owns it (None otherwise: callers answer 404, never 403)."""
    if not owner.is_authenticated:
        return None
    return MediaAsset.objects.filter(pk=asset_id, owner=owner).first()


_SERVING_FIELDS = (
    "format",
    "bytes",
    "asset__owner_id",
    "asset__owner__profile__allow_image_search",
    "withheld",
)


def _serving_query(key: str):
    filters = [
        q for q in events.withheld_assets.send(events.WithheldQuery(OuterRef("asset_id"))) if q
    ]
    withheld = reduce(operator.or_, filters) if filters else Q(pk__in=[])
    return (
        Rendition.objects.filter(key=key)
        .annotate(withheld=ExpressionWrapper(withheld, output_field=BooleanField()))
        .order_by()
        .values_list(*_SERVING_FIELDS)[:1]
    )


# Prepared once per process (kiln.core.fastdb), after every app has subscribed its filter:
# building this query through the ORM was two thirds of a rendition request's CPU, and
# rendition checks are about half of all requests a page view brings.
_serving = PreparedQuery(_serving_query, "str")


def rendition_for_serving(*, key: str) -> dict | None:
    """What serving a rendition needs, in one query: its format, size, owner, the owner's
    image-search consent (for the shield's `noimageindex`), and whether the asset is
    withheld from everyone but its owner and staff (`events.withheld_assets`)."""
    # The router's choice, as the ORM query had it: a safe read may go to the replica.
    found = _serving(key, using=router.db_for_read(Rendition))
    return dict(zip(_SERVING_FIELDS, found[0], strict=True)) if found else None
