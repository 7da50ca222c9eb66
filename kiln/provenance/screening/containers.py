"""Read metadata straight from the container bytes (PNG, JPEG, WebP; others via Pillow).

Our own walkers are deliberately tolerant: a truncated or lying chunk stops that walk but keeps
everything found before it, and no size cap hides a 10 MB text chunk the way Pillow's
MAX_TEXT_CHUNK does.
"""

from __future__ import annotations

import io
import re
import struct
import zlib
from dataclasses import dataclass, field

# Enough for any honest metadata; bounds zTXt/iTXt decompression bombs.
MAX_INFLATE = 32 * 1024 * 1024
# The same bound for all of a file's chunks together: 40 chunks under the per-chunk cap
# would otherwise still be kept, 1.3 GB of them (issue 25). Text past it is dropped, noted.
MAX_INFLATE_TOTAL = MAX_INFLATE


@dataclass
class Metadata:
    fmt: str = "unknown"
    texts: dict[str, list[str]] = field(default_factory=dict)  # PNG text chunks, comments
    exif_blobs: list[bytes] = field(default_factory=list)  # raw TIFF structures
    xmp_packets: list[str] = field(default_factory=list)
    has_c2pa: bool = False
    errors: list[str] = field(default_factory=list)
    inflated: int = 0  # bytes of compressed text inflated so far (bounded by MAX_INFLATE_TOTAL)

    def add_text(self, key: str, value: str) -> None:
        self.texts.setdefault(key, []).append(value)


def _inflate(data: bytes, md: Metadata | None = None) -> bytes:
    budget = MAX_INFLATE if md is None else min(MAX_INFLATE, MAX_INFLATE_TOTAL - md.inflated)
    if budget <= 0:
        raise ValueError(f"text past {MAX_INFLATE_TOTAL >> 20} MB in all, dropped unread")
    out = zlib.decompressobj().decompress(data, budget)
    if md is not None:
        md.inflated += len(out)
    return out


def _parse_png(data: bytes, md: Metadata) -> None:
    pos = 8
    n = len(data)
    while pos + 8 <= n:
        length, ctype = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        try:
            if ctype == b"tEXt":
                key, _, val = body.partition(b"\0")
                md.add_text(key.decode("latin-1"), val.decode("latin-1"))
            elif ctype == b"zTXt":
                key, _, rest = body.partition(b"\0")
                md.add_text(key.decode("latin-1"), _inflate(rest[1:], md).decode("latin-1"))
            elif ctype == b"iTXt":
                key, _, rest = body.partition(b"\0")
                comp = rest[0] if rest else 0
                rest = rest[2:]
                _lang, _, rest = rest.partition(b"\0")
                _tkey, _, text = rest.partition(b"\0")
                if comp:
                    text = _inflate(text, md)
                value = text.decode("utf-8", "replace")
                k = key.decode("latin-1")
                if k == "XML:com.adobe.xmp":
                    md.xmp_packets.append(value)
                else:
                    md.add_text(k, value)
            elif ctype == b"eXIf":
                md.exif_blobs.append(bytes(body))
            elif ctype == b"caBX":
                md.has_c2pa = True
            elif ctype == b"IEND":
                break
        except Exception as exc:  # one bad chunk must not hide the others
            md.errors.append(f"png {ctype!r}: {exc}")


_XMP_NS = b"http://ns.adobe.com/xap/1.0/\0"
_XMP_EXT_NS = b"http://ns.adobe.com/xmp/extension/\0"


def _parse_jpeg(data: bytes, md: Metadata) -> None:
    pos = 2
    n = len(data)
    ext_parts: dict[bytes, dict[int, bytes]] = {}
    while pos + 4 <= n:
        if data[pos] != 0xFF:
            md.errors.append(f"jpeg: lost sync at {pos}")
            break
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        if marker in (0xDA, 0xD9):  # start of scan: no more metadata segments
            break
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        seg = data[pos + 4 : pos + 2 + length]
        pos += 2 + length
        try:
            if marker == 0xE1:
                if seg.startswith(b"Exif\0"):
                    md.exif_blobs.append(bytes(seg[6:]))
                elif seg.startswith(_XMP_NS):
                    md.xmp_packets.append(seg[len(_XMP_NS) :].decode("utf-8", "replace"))
                elif seg.startswith(_XMP_EXT_NS):
                    body = seg[len(_XMP_EXT_NS) :]
                    guid, _total, offset = body[:32], body[32:36], body[36:40]
                    (off,) = struct.unpack(">I", offset)
                    ext_parts.setdefault(bytes(guid), {})[off] = bytes(body[40:])
            elif marker == 0xEB:  # APP11: JUMBF, where C2PA lives in JPEG
                if b"jumb" in seg or b"c2pa" in seg:
                    md.has_c2pa = True
            elif marker == 0xFE:
                md.add_text("Comment", seg.decode("utf-8", "replace"))
        except Exception as exc:
            md.errors.append(f"jpeg marker {marker:#x}: {exc}")
    for parts in ext_parts.values():
        joined = b"".join(parts[k] for k in sorted(parts))
        md.xmp_packets.append(joined.decode("utf-8", "replace"))


def _parse_webp(data: bytes, md: Metadata) -> None:
    pos = 12
    n = len(data)
    while pos + 8 <= n:
        fourcc = data[pos : pos + 4]
        (size,) = struct.unpack("<I", data[pos + 4 : pos + 8])
        body = data[pos + 8 : pos + 8 + size]
        pos += 8 + size + (size & 1)
        try:
            if fourcc == b"EXIF":
                md.exif_blobs.append(bytes(body[6:] if body.startswith(b"Exif\0") else body))
            elif fourcc == b"XMP ":
                md.xmp_packets.append(body.decode("utf-8", "replace"))
            elif fourcc in (b"C2PA", b"c2pa"):
                md.has_c2pa = True
        except Exception as exc:
            md.errors.append(f"webp {fourcc!r}: {exc}")


_XMP_RE = re.compile(rb"<x:xmpmeta.*?</x:xmpmeta>", re.S)


def _parse_other(data: bytes, md: Metadata) -> None:
    """AVIF/HEIF/TIFF/GIF: Pillow (with the HEIF plugin) finds EXIF; XMP is found by its markers."""
    try:
        from PIL import Image

        try:
            import pillow_heif

            pillow_heif.register_heif_opener()
        except Exception:  # noqa: S110 - optional plugin
            pass
        with Image.open(io.BytesIO(data)) as im:
            md.fmt = (im.format or "unknown").lower()
            exif = im.info.get("exif")
            if isinstance(exif, bytes) and exif:
                md.exif_blobs.append(exif[6:] if exif.startswith(b"Exif\0") else exif)
            elif md.fmt in ("tiff", "mpo"):
                md.exif_blobs.append(data)
            comment = im.info.get("comment")
            if isinstance(comment, bytes):
                md.add_text("Comment", comment.decode("utf-8", "replace"))
    except Exception as exc:
        md.errors.append(f"pillow: {exc}")
    for m in _XMP_RE.finditer(data):
        md.xmp_packets.append(m.group(0).decode("utf-8", "replace"))
    if b"jumb" in data and b"c2pa" in data:
        md.has_c2pa = True


def read_metadata(data: bytes) -> Metadata:
    md = Metadata()
    try:
        if data.startswith(b"\x89PNG\r\n\x1a\n"):
            md.fmt = "png"
            _parse_png(data, md)
        elif data.startswith(b"\xff\xd8"):
            md.fmt = "jpeg"
            _parse_jpeg(data, md)
        elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            md.fmt = "webp"
            _parse_webp(data, md)
        else:
            _parse_other(data, md)
    except Exception as exc:
        md.errors.append(f"container: {exc}")
    return md
