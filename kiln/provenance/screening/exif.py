"""A small, tolerant TIFF/EXIF reader for the few text tags generators write to."""

from __future__ import annotations

import struct

# Names for the text tags we know; any other tag that holds bytes or ASCII is read too
# (as "tag0x...."), because generators and converters write wherever they like.
TAGS = {
    0x010D: "DocumentName",
    0x010E: "ImageDescription",
    0x010F: "Make",
    0x0110: "Model",
    0x0131: "Software",
    0x013B: "Artist",
    0x013C: "HostComputer",
    0x8298: "Copyright",
    0x9286: "UserComment",
    0x927C: "MakerNote",
    0x9C9B: "XPTitle",
    0x9C9C: "XPComment",
    0x9C9D: "XPAuthor",
    0x9C9E: "XPKeywords",
    0x9C9F: "XPSubject",
    0xA420: "ImageUniqueID",
    0xA430: "CameraOwnerName",
    0xA433: "LensMake",
    0xA434: "LensModel",
}
_SUB_IFDS = (0x8769, 0x8825, 0xA005)  # Exif, GPS, Interoperability
_TEXT_TYPES = (1, 2, 7)  # BYTE, ASCII, UNDEFINED
_TYPE_SIZE = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8}
MAX_ENTRIES = 512
MAX_IFDS = 16
MAX_TEXT_BYTES = 4_000_000
_UC_HEADERS = (b"UNICODE\0", b"ASCII\0\0\0", b"JIS\0\0\0\0\0", b"\0" * 8)


def _ascii_score(text: str) -> int:
    return sum(1 for ch in text[:400] if " " <= ch <= "~" or ch in "\n\r\t")


def decode_text(raw: bytes) -> str:
    """Text from a tag's bytes in whatever encoding the writer chose: a UserComment header
    (UNICODE/ASCII/JIS/undefined) is dropped, a BOM is honoured, and UTF-16 (either byte
    order, which writers disagree on) is told from UTF-8 by its NUL bytes."""
    for head in _UC_HEADERS:
        if raw.startswith(head):
            raw = raw[8:]
            break
    raw = raw[:MAX_TEXT_BYTES]
    if raw[:2] in (b"\xfe\xff", b"\xff\xfe"):
        return raw.decode("utf-16", "replace")
    sample = raw[:800]
    if len(sample) >= 2 and sample.count(0) * 4 >= len(sample):
        # Mostly NULs: UTF-16. The order that yields readable ASCII wins.
        return max(
            (raw.decode(enc, "replace") for enc in ("utf-16-be", "utf-16-le")), key=_ascii_score
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _decode(tag: int, raw: bytes) -> str:
    return decode_text(raw).replace("\0", "").strip()


def read_exif_texts(tiff: bytes, errors: list[str] | None = None) -> dict[str, str]:
    """Return {tag name: text} from IFD0 and the Exif IFD. Never raises."""
    out: dict[str, str] = {}
    try:
        if tiff[:2] == b"II":
            end = "<"
        elif tiff[:2] == b"MM":
            end = ">"
        else:
            raise ValueError("no TIFF header")
        (ifd,) = struct.unpack(end + "I", tiff[4:8])
        seen: set[int] = set()
        queue = [ifd]
        while queue and len(seen) < MAX_IFDS:
            off = queue.pop()
            if off in seen or off + 2 > len(tiff) or off < 8:
                continue
            seen.add(off)
            (count,) = struct.unpack(end + "H", tiff[off : off + 2])
            nxt = off + 2 + 12 * count  # IFD1 (the thumbnail's) and beyond carry tags too
            if nxt + 4 <= len(tiff):
                queue.append(struct.unpack(end + "I", tiff[nxt : nxt + 4])[0])
            for i in range(min(count, MAX_ENTRIES)):
                e = off + 2 + 12 * i
                if e + 12 > len(tiff):
                    break
                tag, typ, n = struct.unpack(end + "HHI", tiff[e : e + 8])
                try:
                    if tag in _SUB_IFDS:
                        queue.append(struct.unpack(end + "I", tiff[e + 8 : e + 12])[0])
                        continue
                    if typ not in _TEXT_TYPES:
                        continue
                    size = min(_TYPE_SIZE.get(typ, 1) * n, MAX_TEXT_BYTES)
                    if size <= 4:
                        raw = tiff[e + 8 : e + 8 + size]
                    else:
                        (vo,) = struct.unpack(end + "I", tiff[e + 8 : e + 12])
                        raw = tiff[vo : vo + size]
                    text = _decode(tag, bytes(raw))
                    if text:
                        out[TAGS.get(tag, f"tag{tag:#06x}")] = text
                except Exception as exc:
                    if errors is not None:
                        errors.append(f"exif tag {tag:#x}: {exc}")
    except Exception as exc:
        if errors is not None:
            errors.append(f"exif: {exc}")
    return out
