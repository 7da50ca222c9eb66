"""Mastodon `MediaAttachment` JSON for the statuses of the JSON timelines.

A page costs one query for its posts' attachments (with whether each image is held for review)
and, when there are any, one for their renditions, whatever the number of posts. Images held
for review are left out, as the rendered card never shows them either. An image still being
processed is listed with no URLs yet, as Mastodon lists media it has not finished processing.
"""

from __future__ import annotations

from django.db.models import BooleanField, ExpressionWrapper, OuterRef

from kiln.core.fastdb import PreparedQuery
from kiln.core.pagination import MAX_PAGE_SIZE
from kiln.media.delivery import rendition_url
from kiln.media.models import MediaAsset, Rendition
from kiln.posts.limits import MAX_IMAGES
from kiln.posts.models import PostAttachment
from kiln.provenance.selectors import asset_is_held

MAX_POSTS = 2 * MAX_PAGE_SIZE  # as kiln.posts.cards.MAX_CARDS: the most posts a page asks about
PREVIEW_WIDTH = 640  # Mastodon's "small" is about this wide
# Still images are served as JPEG (every client reads it); animated ones as animated WebP,
# which has a JPEG poster of the first frame for the preview.
STILL, ANIMATED, POSTER = Rendition.Format.JPEG, Rendition.Format.WEBP, Rendition.Format.JPEG

_COLUMNS = (
    "post_id",
    "id",
    "asset_id",
    "alt_text",
    "asset__state",
    "asset__width",
    "asset__height",
    "asset__is_animated",
    "asset__blurhash",
    "asset__focus_x",
    "asset__focus_y",
    "held",
)


def _build_attachments(post_ids):
    held = ExpressionWrapper(asset_is_held(OuterRef("asset_id")), output_field=BooleanField())
    return (
        PostAttachment.objects.filter(post_id__in=post_ids)
        .annotate(held=held)
        .order_by("post_id", "position", "id")
        .values_list(*_COLUMNS)
    )


_attachments = PreparedQuery(_build_attachments, MAX_POSTS)
_renditions = PreparedQuery(
    lambda asset_ids: Rendition.objects.filter(
        asset_id__in=asset_ids, format__in=(STILL, ANIMATED)
    ).values_list("asset_id", "format", "width", "height", "key"),
    MAX_POSTS * MAX_IMAGES,
)


def media_attachments(post_ids, *, with_held: bool = False):
    """{post id: its attachments as Mastodon MediaAttachment dicts, in the post's order}.
    With `with_held`, also the set of post ids that have an image held for review."""
    post_ids = list(dict.fromkeys(post_ids))
    if not post_ids:
        return ({}, set()) if with_held else {}
    rows = [
        dict(zip(_COLUMNS, row, strict=True))
        for start in range(0, len(post_ids), MAX_POSTS)
        for row in _attachments(post_ids[start : start + MAX_POSTS])
    ]
    held_posts = {row["post_id"] for row in rows if row["held"]}
    rows = [row for row in rows if not row["held"]]
    ready = [row["asset_id"] for row in rows if row["asset__state"] == MediaAsset.State.READY]
    renditions: dict[int, list[tuple]] = {}
    step = MAX_POSTS * MAX_IMAGES
    for start in range(0, len(ready), step):
        for asset_id, *rendition in _renditions(ready[start : start + step]):
            renditions.setdefault(asset_id, []).append(tuple(rendition))
    media: dict[int, list[dict]] = {}
    for row in rows:
        media.setdefault(row["post_id"], []).append(
            _attachment(row, sorted(renditions.get(row["asset_id"], []), key=lambda r: r[1]))
        )
    return (media, held_posts) if with_held else media


def _size(width, height) -> dict | None:
    if not width or not height:
        return None
    return {
        "width": width,
        "height": height,
        "size": f"{width}x{height}",
        "aspect": round(width / height, 4),
    }


def _attachment(row: dict, renditions: list[tuple]) -> dict:
    """One MediaAttachment; `renditions` are (format, width, height, key), narrowest first."""
    main_format = ANIMATED if row["asset__is_animated"] else STILL
    main = [r for r in renditions if r[0] == main_format] or [
        r for r in renditions if r[0] == STILL
    ]
    posters = [r for r in renditions if r[0] == POSTER] or main
    full = main[-1] if main else None
    preview = next((r for r in posters if r[1] >= PREVIEW_WIDTH), posters[-1] if posters else None)
    meta: dict = {"focus": {"x": row["asset__focus_x"], "y": row["asset__focus_y"]}}
    if original := _size(row["asset__width"], row["asset__height"]):
        meta["original"] = original
    if preview is not None:
        meta["small"] = _size(preview[1], preview[2])
    return {
        "id": str(row["id"]),
        "type": "image",
        "url": _url(full),
        "preview_url": _url(preview),
        "remote_url": None,
        "meta": meta,
        "description": row["alt_text"] or None,
        "blurhash": row["asset__blurhash"] or None,
    }


def _url(rendition: tuple | None) -> str | None:
    if rendition is None:
        return None
    return rendition_url(Rendition(key=rendition[3]))


def asset_attachment(asset: MediaAsset, *, alt_text: str = "") -> dict:
    """A MediaAttachment for one of the reader's own uploads not yet in a post (the client
    API's media endpoints); its id is the asset's."""
    renditions = []
    if asset.state == MediaAsset.State.READY:
        renditions = sorted(
            Rendition.objects.filter(asset=asset, format__in=(STILL, ANIMATED)).values_list(
                "format", "width", "height", "key"
            ),
            key=lambda r: r[1],
        )
    row = {
        "id": asset.pk,
        "alt_text": alt_text,
        "asset__width": asset.width,
        "asset__height": asset.height,
        "asset__is_animated": asset.is_animated,
        "asset__blurhash": asset.blurhash,
        "asset__focus_x": asset.focus_x,
        "asset__focus_y": asset.focus_y,
    }
    return _attachment(row, renditions)
