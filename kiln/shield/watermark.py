"""The optional visible watermark: the artist's @handle in a corner of each public rendition.

The media render pipeline calls `apply_watermark(image, owner=...)` on every rendition it makes.
It is one text render (a few ms) and a blend over a small region, so it stays cheap.
"""

from html import escape

import pyvips

from kiln.shield.models import WatermarkPreference

# Text height as a share of the shorter side: readable on a 320 px thumbnail, quiet at 2048 px.
TEXT_SCALE = 0.045
MIN_TEXT_PX = 9
_FORMAT_MAX = {"uchar": 255, "char": 127, "ushort": 65535, "short": 32767}


def watermark_preference_for(owner) -> WatermarkPreference | None:
    """The owner's enabled preference, or None."""
    if owner is None or getattr(owner, "pk", None) is None:
        return None
    return WatermarkPreference.objects.filter(user_id=owner.pk, enabled=True).first()


def apply_watermark(image: pyvips.Image, *, owner) -> pyvips.Image:
    """The image with the owner's watermark, or the same image when they have none."""
    preference = watermark_preference_for(owner)
    if preference is None:
        return image
    return draw_watermark(
        image,
        text=f"@{owner.username}",
        corner=preference.corner,
        opacity=preference.opacity / 100,
    )


def draw_watermark(image: pyvips.Image, *, text: str, corner: str, opacity: float) -> pyvips.Image:
    """White text with a dark offset shadow, blended at `opacity`, on every frame."""
    page_height = image.height
    if image.get_typeof("page-height"):
        candidate = image.get("page-height")
        if 0 < candidate < image.height and image.height % candidate == 0:
            page_height = candidate
    size = max(MIN_TEXT_PX, round(min(image.width, page_height) * TEXT_SCALE))
    margin = max(2, size // 2)
    mask = pyvips.Image.text(escape(text), font=f"sans bold {size}", dpi=72)
    room = image.width - 2 * margin
    if room < 8:
        return image
    if mask.width > room:  # a long handle on a narrow image: shrink it to fit
        mask = mask.resize(room / mask.width)
    shadow_offset = max(1, size // 14)
    width, height = mask.width + shadow_offset, mask.height + shadow_offset
    if height > page_height - 2 * margin:
        return image
    text_mask = mask.embed(0, 0, width, height)
    shadow_mask = mask.embed(shadow_offset, shadow_offset, width, height)
    strength = max(0.0, min(1.0, opacity))

    x = margin if corner.endswith("left") else image.width - margin - width
    y_in_page = margin if corner.startswith("top") else page_height - margin - height
    top = _format_max(image)
    light = [top] * image.bands
    dark = [0] * image.bands
    if image.hasalpha():
        dark[-1] = top  # the shadow is opaque where it is drawn, like the text
    for frame in range(image.height // page_height):
        y = frame * page_height + y_in_page
        region = image.crop(x, y, width, height)
        region = (shadow_mask * (strength * 0.6)).cast("uchar").ifthenelse(dark, region, blend=True)
        region = (text_mask * strength).cast("uchar").ifthenelse(light, region, blend=True)
        image = image.insert(region.cast(image.format), x, y)
    return image


def _format_max(image: pyvips.Image) -> float:
    return _FORMAT_MAX.get(image.format, 1.0 if image.format in ("float", "double") else 255)


def watermark_transform(event):
    """The media pipeline's `rendition_watermark` subscriber: draw the owner's mark, if any."""
    return lambda image: apply_watermark(image, owner=event.owner)
