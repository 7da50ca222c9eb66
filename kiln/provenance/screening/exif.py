"""A small, tolerant TIFF/EXIF reader for the few text tags generators write to."""

from __future__ import annotations

import struct

TAGS = {
    0x010E: "ImageDescription",
    0x010F: "Make",
    0x0110: "Model",
    0x0131: "Software",
    0x013B: "Artist",
    0x9286: "UserComment",
    0x9C9C: "XPComment",
    0x9C9B: "XPTitle",
    0x9C9F: "XPSubject",
}
_EXIF_IFD = 0x8769
_TYPE_SIZE = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8}
MAX_ENTRIES = 512


def _decode_user_comment(raw: bytes) -> str:
    head, body = raw[:8], raw[8:]
    if head.startswith(b"UNICODE"):
        # The spec says UCS-2 in the TIFF byte order, but writers disagree: pick the
        # decoding that yields mostly ASCII.
        best = ""
        best_score = -1
        for enc in ("utf-16-be", "utf-16-le"):
            text = body.decode(enc, "replace")
            score = sum(1 for ch in text[:400] if ch.isascii())
            if score > best_score:
                best, best_score = text, score
        return best
    if head.startswith(b"ASCII") or head == b"\0" * 8:
        return body.decode("utf-8", "replace")
    return raw.decode("utf-8", "replace")


def _decode(tag: int, raw: bytes) -> str:
    if tag == 0x9286:
        text = _decode_user_comment(raw)
    elif tag in (0x9C9C, 0x9C9B, 0x9C9F):
        text = raw.decode("utf-16-le", "replace")
    else:
        text = raw.decode("utf-8", "replace")
    return text.rstrip("\0").strip()


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
        while queue:
            off = queue.pop()
            if off in seen or off + 2 > len(tiff) or off < 8:
                continue
            seen.add(off)
            (count,) = struct.unpack(end + "H", tiff[off : off + 2])
            for i in range(min(count, MAX_ENTRIES)):
                e = off + 2 + 12 * i
                if e + 12 > len(tiff):
                    break
                tag, typ, n = struct.unpack(end + "HHI", tiff[e : e + 8])
                try:
                    if tag == _EXIF_IFD:
                        queue.append(struct.unpack(end + "I", tiff[e + 8 : e + 12])[0])
                        continue
                    if tag not in TAGS:
                        continue
                    size = _TYPE_SIZE.get(typ, 1) * n
                    if size <= 4:
                        raw = tiff[e + 8 : e + 8 + size]
                    else:
                        (vo,) = struct.unpack(end + "I", tiff[e + 8 : e + 12])
                        raw = tiff[vo : vo + size]
                    text = _decode(tag, bytes(raw))
                    if text:
                        out[TAGS[tag]] = text
                except Exception as exc:
                    if errors is not None:
                        errors.append(f"exif tag {tag:#x}: {exc}")
    except Exception as exc:
        if errors is not None:
            errors.append(f"exif: {exc}")
    return out
