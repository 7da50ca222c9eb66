"""Checks run inside the upload request, before anything is stored.

The format comes from the bytes: a magic-number sniff, then the decoder itself must agree.
The client's Content-Type and file name are never read. Each limit is a setting, and each
refusal is a ValidationError whose message the artist can act on.
"""

import re
from dataclasses import dataclass

import pyvips
from django.conf import settings
from django.core.exceptions import ValidationError

from kiln.media import pngtext

ACCEPTED = "Kiln accepts JPEG, PNG, WebP, AVIF, GIF and HEIC images."
DAMAGED = f"That image is damaged or incomplete, so it can't be used. {ACCEPTED}"

# Markers of content a browser or interpreter could execute. A real image has no reason to
# carry them, so a file containing one is treated as a polyglot and refused. Compressed pixel
# data is random-looking bytes, and a short marker such as "<svg" turns up in it by chance
# (about one 250 KB JPEG in 400, far more often in a 10 MB photo), so short markers are only
# looked for where polyglots put their payload: the head and the tail of the file. Long
# markers (7+ bytes) are practically never spelled by chance and are looked for everywhere.
_ACTIVE_CONTENT_ANYWHERE = re.compile(
    rb"<script|<iframe|<!doctype|javascript:|<\?php\s", re.IGNORECASE
)
_ACTIVE_CONTENT_EDGES = re.compile(rb"<html|<svg|<body|<\?php|%PDF-", re.IGNORECASE)
_EDGE_BYTES = 4096


def contains_active_content(data: bytes) -> bool:
    if _ACTIVE_CONTENT_ANYWHERE.search(data):
        return True
    return bool(
        _ACTIVE_CONTENT_EDGES.search(data[:_EDGE_BYTES])
        or _ACTIVE_CONTENT_EDGES.search(data[-_EDGE_BYTES:])
    )


_HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"}
_AVIF_BRANDS = {b"avif", b"avis"}
# Which libvips loader each sniffed format must decode with.
_LOADERS = {
    "jpeg": "jpegload",
    "png": "pngload",
    "gif": "gifload",
    "webp": "webpload",
    "avif": "heifload",
}


# Loaders that have an `unlimited` switch: keep their denial-of-service limits on.
_SAFE = {"jpeg": {"unlimited": False}, "png": {"unlimited": False}, "avif": {"unlimited": False}}


@dataclass(frozen=True)
class Probe:
    format: str  # jpeg, png, gif, webp, avif, heic
    width: int
    height: int
    frames: int

    @property
    def is_animated(self) -> bool:
        return self.frames > 1


def sniff_format(head: bytes) -> str | None:
    """The image format named by the file's first bytes, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp":
        box_size = int.from_bytes(head[:4], "big")
        brands = {head[8:12]} | {
            head[i : i + 4] for i in range(16, min(box_size, len(head)) - 3, 4)
        }
        if brands & _AVIF_BRANDS:
            return "avif"
        if brands & _HEIC_BRANDS or (b"mif1" in brands or b"msf1" in brands):
            return "heic"
    return None


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, code="invalid_image")


def check_limits(*, width: int, height: int, frames: int) -> None:
    max_side = settings.KILN_MEDIA_MAX_SIDE
    if width < 1 or height < 1:
        raise _refuse("That image has no pixels.")
    if width > max_side or height > max_side:
        raise _refuse(
            f"That image is {width:,}×{height:,} px; each side must be {max_side:,} px or less."
        )
    max_pixels = settings.KILN_MEDIA_MAX_PIXELS
    if width * height > max_pixels:
        raise _refuse(
            f"That image has {width * height / 1e6:,.0f} megapixels; "
            f"the limit is {max_pixels / 1e6:,.0f}."
        )
    max_frames = settings.KILN_MEDIA_MAX_FRAMES
    if frames > max_frames:
        raise _refuse(f"That animation has {frames:,} frames; the limit is {max_frames:,}.")
    if frames > 1 and width * height * frames > settings.KILN_MEDIA_MAX_ANIMATION_PIXELS:
        raise _refuse("That animation is too large: use fewer frames or smaller frames.")


def _probe_vips(data: bytes, fmt: str) -> Probe:
    try:
        # unlimited=False (the default, said aloud): libvips keeps its decoders' DoS limits.
        header = pyvips.Image.new_from_buffer(data, "", **_SAFE.get(fmt, {}))
        loader = header.get("vips-loader")
        if not loader.startswith(_LOADERS[fmt]):
            raise _refuse(f"That file is not the image it claims to be. {ACCEPTED}")
        frames = header.get("n-pages") if "n-pages" in header.get_fields() else 1
        height = header.height  # the header holds the first frame only
        check_limits(width=header.width, height=height, frames=frames)
        # Decode every pixel (cheaply: JPEG at 1/8 scale, streaming, nothing kept) so that
        # truncated or corrupt files are refused now, not later in the worker.
        options = {"access": "sequential", "fail_on": "error", **_SAFE.get(fmt, {})}
        if fmt == "jpeg":
            # libjpeg's scaled decode rounds a side down: 8 would turn a 1-7 px side into 0.
            options["shrink"] = next(s for s in (8, 4, 2, 1) if s <= min(header.width, height))
        elif frames > 1:
            options["n"] = -1
        pyvips.Image.new_from_buffer(data, "", **options).avg()
    except pyvips.Error as exc:
        raise _refuse(
            f"That image is damaged or incomplete, so it can't be used. {ACCEPTED}"
        ) from exc
    return Probe(format=fmt, width=header.width, height=height, frames=frames)


def _probe_heic(data: bytes) -> Probe:
    import pillow_heif

    try:
        heif = pillow_heif.open_heif(data, convert_hdr_to_8bit=True)
        check_limits(width=heif.size[0], height=heif.size[1], frames=1)
        heif.data  # noqa: B018 - decodes the primary image, so corrupt files fail here
    except ValidationError:
        raise
    except (ValueError, RuntimeError, OSError) as exc:
        raise _refuse(
            f"That image is damaged or incomplete, so it can't be used. {ACCEPTED}"
        ) from exc
    return Probe(format="heic", width=heif.size[0], height=heif.size[1], frames=1)


def probe_image(data: bytes) -> Probe:
    """Identify and check an upload. Raises ValidationError with a readable message."""
    if not data:
        raise _refuse(f"That file is empty. {ACCEPTED}")
    max_bytes = settings.KILN_MEDIA_MAX_BYTES
    if len(data) > max_bytes:
        raise _refuse(f"That file is over the {max_bytes / 1024 / 1024:,.0f} MB limit.")
    fmt = sniff_format(data[:64])
    if fmt is None:
        raise _refuse(f"That file type isn't supported. {ACCEPTED}")
    if contains_active_content(data):
        raise _refuse(f"That file contains more than an image (for example a script). {ACCEPTED}")
    if fmt == "heic":
        return _probe_heic(data)
    if fmt == "png":
        check_png_text(data)
        data = pngtext.without_text(data)  # libvips would keep every text chunk, inflated
    return _probe_vips(data, fmt)


def check_png_text(data: bytes) -> None:
    """Refuse a PNG whose text chunks inflate past the cap (a decompression bomb)."""
    cap = settings.KILN_MEDIA_MAX_TEXT_BYTES
    if pngtext.text_bytes(data, budget=cap) > cap:
        raise _refuse(
            f"That PNG carries more than {cap / 1024 / 1024:,.0f} MB of text metadata once "
            "unpacked. Export it again without metadata, then upload it."
        )
