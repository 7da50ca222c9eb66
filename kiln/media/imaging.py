"""The render pipeline: original bytes in, encoded public renditions out. No database here.

pyvips does the work (see docs/decisions/media.md for the benchmark against Pillow):
- one decode, with shrink-on-load, to the largest rendition; smaller widths are resized from
  that in-memory master, so a 24 MP JPEG is decoded once, not twelve times;
- EXIF orientation applied, colour converted to sRGB, 16-bit and CMYK brought to 8-bit sRGB;
- every piece of source metadata removed, then the rights XMP and EXIF Artist/Copyright added;
- stills become AVIF, WebP and JPEG; animations become animated WebP plus a JPEG poster.
"""

import io
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyvips
from django.conf import settings

from kiln.media import pngtext
from kiln.media.rights import Rights, rights_exif_fields, rights_xmp, webp_exif_chunk_fix

logger = logging.getLogger("kiln.media")

# WebP cannot encode a side over 16,383 px; keep every rendition inside that.
MAX_RENDITION_SIDE = 16_383
# Fields a rendition may keep from its source: animation timing only.
_ANIMATION_FIELDS = {"page-height", "delay", "loop", "n-pages"}
_KEEP = pyvips.enums.ForeignKeep.EXIF | pyvips.enums.ForeignKeep.XMP

STILL_FORMATS = ("avif", "webp", "jpeg")
# Animated WebP plays in every current browser (Safari since 14); the JPEG is the first frame,
# a still fallback. Animated GIF renditions were dropped: 20× the bytes and 2× the encode time
# of animated WebP on the benchmark animation.
ANIMATED_FORMATS = ("webp", "jpeg")
EXTENSIONS = {"avif": "avif", "webp": "webp", "jpeg": "jpg", "gif": "gif"}
CONTENT_TYPES = {
    "avif": "image/avif",
    "webp": "image/webp",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
}


@dataclass
class Encoded:
    format: str
    width: int
    height: int
    data: bytes
    # What names the rendition: the encoded image before its C2PA manifest, whose signature
    # differs on every signing, so a rebuild of the same pixels keeps the same file name.
    identity: bytes


@dataclass
class Rendered:
    width: int  # of the oriented original
    height: int
    is_animated: bool
    frame_count: int
    blurhash: str
    dominant_color: str
    renditions: list[Encoded] = field(default_factory=list)


class Timer:
    """Adds each phase's wall time (seconds) to a dict: with timer("encode"): ..."""

    def __init__(self, timings: dict):
        self.timings = timings

    def __call__(self, phase: str):
        timer = self

        class _Phase:
            def __enter__(self):
                self.start = time.perf_counter()

            def __exit__(self, *exc):
                elapsed = time.perf_counter() - self.start
                timer.timings[phase] = round(timer.timings.get(phase, 0.0) + elapsed, 4)

        return _Phase()


def _oriented_size(header: pyvips.Image) -> tuple[int, int]:
    orientation = header.get("orientation") if "orientation" in header.get_fields() else 1
    return (
        (header.height, header.width)
        if orientation in (5, 6, 7, 8)
        else (header.width, header.height)
    )


def decode_heic(data: bytes) -> pyvips.Image:
    """HEIC needs libde265, which pillow-heif ships and the pyvips wheel does not."""
    import pillow_heif

    heif = pillow_heif.open_heif(data, convert_hdr_to_8bit=True)  # applies irot/imir
    mode_bands = {"RGB": 3, "RGBA": 4, "L": 1, "LA": 2}
    array = np.asarray(heif)
    image = pyvips.Image.new_from_array(array, interpretation="srgb")
    if image.bands != mode_bands.get(heif.mode, image.bands):
        image = image[: mode_bands[heif.mode]]
    icc = heif.info.get("icc_profile")
    if icc:
        image = image.copy()
        image.set_type(pyvips.GValue.blob_type, "icc-profile-data", bytes(icc))
    return image


def _target_widths(width: int) -> list[int]:
    """Configured widths up to the original's, plus the original's own when it is smaller."""
    widths = sorted({min(w, width) for w in settings.KILN_MEDIA_WIDTHS})
    return widths


def _to_srgb8(image: pyvips.Image) -> pyvips.Image:
    if image.interpretation != "srgb" or image.format != "uchar":
        image = image.colourspace("srgb")
    if image.format != "uchar":
        image = image.cast("uchar")
    return image


def _colour_options(header: pyvips.Image) -> dict:
    """Convert to sRGB through the embedded profile, or CMYK through libvips' fallback one.

    Untagged RGB is already treated as sRGB: asking for a transform anyway would run an
    sRGB-to-sRGB pass over every pixel (1.2 s on a 24 MP JPEG).
    """
    if "icc-profile-data" in header.get_fields() or header.interpretation == "cmyk":
        return {"export_profile": "srgb"}
    return {}


def _master_from_bytes(
    data: bytes, header: pyvips.Image, width: int, animated: bool
) -> pyvips.Image:
    return pyvips.Image.thumbnail_buffer(
        data,
        width,
        height=MAX_RENDITION_SIDE,
        size="down",
        option_string="n=-1" if animated else "",
        **_colour_options(header),
    )


def _master_from_image(image: pyvips.Image, width: int) -> pyvips.Image:
    return image.thumbnail_image(
        width, height=MAX_RENDITION_SIDE, size="down", **_colour_options(image)
    )


def _resize(master: pyvips.Image, width: int) -> pyvips.Image:
    if master.width <= width:
        return master
    return master.thumbnail_image(width, height=MAX_RENDITION_SIDE, size="down")


def _strip_and_mark(image: pyvips.Image, rights: Rights) -> pyvips.Image:
    image = image.copy()
    for name in image.get_fields():
        if name not in _ANIMATION_FIELDS:
            image.remove(name)
    image.set_type(pyvips.GValue.blob_type, "xmp-data", rights_xmp(rights))
    for name, value in rights_exif_fields(rights).items():
        image.set_type(pyvips.GValue.gstr_type, name, value)
    return image


def _flatten(image: pyvips.Image) -> pyvips.Image:
    return image.flatten(background=[255, 255, 255]) if image.hasalpha() else image


def encode(image: pyvips.Image, fmt: str) -> bytes:
    if fmt == "jpeg":
        return _flatten(image).jpegsave_buffer(
            Q=settings.KILN_MEDIA_QUALITY_JPEG, optimize_coding=True, interlace=True, keep=_KEEP
        )
    if fmt == "webp":
        # Animations at effort 2: 2.5× faster than 4 for 2% more bytes (measured).
        effort = 2 if "page-height" in image.get_fields() else 4
        data = image.webpsave_buffer(Q=settings.KILN_MEDIA_QUALITY_WEBP, effort=effort, keep=_KEEP)
        return webp_exif_chunk_fix(data)
    if fmt == "avif":
        return image.heifsave_buffer(
            # effort 1 (aom cpu-used 8): 4× faster than 2 at the same SSIM per byte (bench).
            compression="av1",
            Q=settings.KILN_MEDIA_QUALITY_AVIF,
            effort=1,
            keep=_KEEP,
        )
    raise ValueError(f"unknown rendition format {fmt}")


def blurhash_and_colour(image: pyvips.Image) -> tuple[str, str]:
    """A 4×3 blurhash and the most common colour (by 4-bit bins) of a small version."""
    import blurhash
    from PIL import Image

    small = image
    if "page-height" in small.get_fields() and small.get("page-height") < small.height:
        small = small.crop(0, 0, small.width, small.get("page-height"))  # first frame
    small = _flatten(small.thumbnail_image(32, height=32))
    small = _to_srgb8(small)[:3] if small.bands >= 3 else _to_srgb8(small)
    pixels = np.ndarray(
        buffer=small.write_to_memory(), dtype=np.uint8, shape=[small.height, small.width, 3]
    )
    code = blurhash.encode(Image.fromarray(pixels, "RGB"), 4, 3)
    flat = pixels.reshape(-1, 3).astype(np.int32)
    bins = (flat[:, 0] >> 4) << 8 | (flat[:, 1] >> 4) << 4 | flat[:, 2] >> 4
    top = np.bincount(bins).argmax()
    r, g, b = flat[bins == top].mean(axis=0).round().astype(int)
    return code, f"#{r:02x}{g:02x}{b:02x}"


def render(
    *,
    source: bytes | pyvips.Image,
    fmt: str,
    rights: Rights,
    watermark: Callable[[pyvips.Image], pyvips.Image] | None = None,
    timings: dict | None = None,
) -> Rendered:
    """Turn an original (bytes, or an already decoded master image) into every rendition."""
    timer = Timer(timings if timings is not None else {})
    with timer("decode"):
        if isinstance(source, pyvips.Image):
            width, height, frames = source.width, source.height, 1
            animated = False
        elif fmt == "heic":
            decoded = decode_heic(source)
            width, height, frames, animated = decoded.width, decoded.height, 1, False
            source = decoded
        else:
            if fmt == "png":  # libvips would keep every text chunk, inflated: none is needed
                source = pngtext.without_text(source)
            header = pyvips.Image.new_from_buffer(source, "")
            frames = header.get("n-pages") if "n-pages" in header.get_fields() else 1
            animated = frames > 1 and fmt in ("gif", "webp")
            width, height = _oriented_size(header)  # of the first frame: the header holds one
            if not animated:
                frames = 1
        widths = _target_widths(width)
        if isinstance(source, pyvips.Image):
            master = _master_from_image(source, widths[-1])
        else:
            master = _master_from_bytes(source, header, widths[-1], animated)
        master = _to_srgb8(master)
        if animated and "page-height" in master.get_fields():
            frames = master.height // master.get("page-height")
        if not animated:  # an animation's strip can be huge: stream it from the source instead
            master = master.copy_memory()
    with timer("placeholder"):
        code, colour = blurhash_and_colour(master)
    result = Rendered(
        width=width,
        height=height,
        is_animated=animated,
        frame_count=frames,
        blurhash=code,
        dominant_color=colour,
    )
    formats = ANIMATED_FORMATS if animated else STILL_FORMATS
    seen: set[int] = set()
    for target in reversed(widths):
        with timer("resize"):
            if animated:
                image = _master_from_bytes(source, header, target, animated=True)
                image = _to_srgb8(image)
            else:
                image = _resize(master, target)
            if image.width in seen:
                continue
            seen.add(image.width)
            if watermark is not None:
                image = watermark(image)
            image = _strip_and_mark(image, rights)
            if not animated:
                image = image.copy_memory()
        page_height = image.get("page-height") if animated else image.height
        for fmt_out in formats:
            with timer(f"encode_{fmt_out}"):
                data = encode(_poster(image) if animated and fmt_out == "jpeg" else image, fmt_out)
            unsigned = data
            if settings.KILN_MEDIA_C2PA:
                with timer("c2pa"):
                    data = _with_c2pa_manifest(data, fmt_out, rights)
            result.renditions.append(Encoded(fmt_out, image.width, page_height, data, unsigned))
    return result


def reserved_jpeg(image: pyvips.Image, rights: Rights) -> bytes:
    """A JPEG of `image` with the reservations every rendition carries (XMP, EXIF, C2PA), for
    images made outside the pipeline (link-preview cards)."""
    data = encode(_strip_and_mark(_to_srgb8(image), rights), "jpeg")
    return _with_c2pa_manifest(data, "jpeg", rights) if settings.KILN_MEDIA_C2PA else data


def _with_c2pa_manifest(data: bytes, fmt: str, rights: Rights) -> bytes:
    """The rendition with a signed C2PA manifest that says no AI training or mining.

    The manifest repeats what the XMP and EXIF already say, for readers that only trust C2PA;
    a rendition it cannot be added to is kept as it is (logged), so an artist's upload never
    fails over it.
    """
    from kiln.media.c2pa import c2pa_sign_rendition

    try:
        return c2pa_sign_rendition(data, fmt=fmt, creator=rights.creator, work_url=rights.work_url)
    except Exception:
        logger.warning("C2PA manifest not added to a %s rendition", fmt, exc_info=True)
        return data


def _poster(image: pyvips.Image) -> pyvips.Image:
    """The first frame, keeping the rights metadata: the still fallback of an animation."""
    page_height = image.get("page-height")
    poster = image.crop(0, 0, image.width, page_height).copy()
    poster.remove("page-height")
    return poster


def pil_to_vips(image) -> pyvips.Image:
    """A PIL image as a pyvips image (for masters handed over by other apps)."""
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)
    return pyvips.Image.new_from_buffer(buffer.getvalue(), "")
