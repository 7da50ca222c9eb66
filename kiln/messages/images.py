"""Private images: uploaded through the media pipeline (validated, screened, rendered) but
served only through a view that has checked who is asking, never by a public URL.

The hiring app reuses both halves for commission reference images.
"""

from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.http import FileResponse, Http404

from kiln.media import imaging
from kiln.media.models import MediaAsset
from kiln.media.services import media_asset_create
from kiln.media.validation import probe_image


def private_images_create(*, owner, uploads, limit: int) -> list[MediaAsset]:
    """Media assets for up to `limit` uploads. Every file is probed before any is stored, so
    one bad file refuses the lot and stores nothing. Callers make this their transaction's
    last step: if a later write failed, the originals stored here would outlive the rolled
    back rows until `media_sweep --orphans` (originals with no asset row, over an hour old)."""
    uploads = [u for u in uploads if u]
    if len(uploads) > limit:
        raise ValidationError(f"Attach at most {limit} images.")
    for upload in uploads:
        upload.seek(0)
        probe_image(upload.read())  # raises ValidationError with a readable reason
        upload.seek(0)
    assets: list[MediaAsset] = []
    try:
        for upload in uploads:
            assets.append(media_asset_create(owner=owner, upload=upload, private=True))
    except BaseException:
        for asset in assets:
            storages["private"].delete(asset.original_key)
        raise
    return assets


def private_image_response(asset: MediaAsset, *, width: int = 1280) -> FileResponse:
    """The largest JPEG or WebP rendition no wider than `width`, with no shared caching."""
    renditions = [
        r for r in asset.renditions.all() if r.format in ("jpeg", "webp") and r.width <= width
    ] or [r for r in asset.renditions.all() if r.format in ("jpeg", "webp")]
    if not renditions:
        raise Http404("This image is still being processed.")
    rendition = max(renditions, key=lambda r: (r.format == "jpeg", r.width))
    try:
        handle = storages["default"].open(rendition.key, "rb")
    except OSError as exc:
        raise Http404("No such image.") from exc
    response = FileResponse(handle, content_type=imaging.CONTENT_TYPES[rendition.format])
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
