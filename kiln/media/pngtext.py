"""PNG text chunks: bound what they inflate to, and keep them away from libvips.

libvips keeps every tEXt/zTXt/iTXt chunk as image metadata, inflated, on every load; a 1.7 MB
PNG of 40 zTXt chunks that each inflate to 40 MB took a worker past 14 GB. Renditions strip
all source metadata anyway, so the decoder never needs these chunks: uploads whose text
inflates past a total cap are refused, and the bytes libvips decodes have them removed.
"""

import struct
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TEXT_CHUNKS = {b"tEXt", b"zTXt", b"iTXt"}
# Inflated in steps of this many bytes, each counted and dropped: counting keeps nothing.
_STEP = 1 << 20


def _chunks(data: bytes):
    """(type, start, end) of each whole chunk after the signature; stops at a malformed one."""
    pos = len(PNG_SIGNATURE)
    while pos + 12 <= len(data):
        length, ctype = struct.unpack(">I4s", data[pos : pos + 8])
        end = pos + 12 + length
        if end > len(data):
            return
        yield ctype, pos, end
        pos = end
        if ctype == b"IEND":
            return


def _inflated_size(compressed: bytes, budget: int) -> int:
    """How many bytes `compressed` inflates to, counting no further than past `budget`."""
    inflater = zlib.decompressobj()
    total = 0
    pending = compressed
    try:
        while pending and total <= budget:
            total += len(inflater.decompress(pending, _STEP))
            pending = inflater.unconsumed_tail
            if inflater.eof:
                break
    except zlib.error:
        pass  # a broken stream inflates no further; the decoder judges the rest of the file
    return total


def text_bytes(data: bytes, *, budget: int) -> int:
    """Total size of a PNG's text (and ICC profile) once inflated; stops counting past budget."""
    total = 0
    for ctype, start, end in _chunks(data):
        body = data[start + 8 : end - 4]
        if ctype == b"tEXt":
            total += len(body)
        elif ctype in (b"zTXt", b"iCCP"):
            _key, _, rest = body.partition(b"\0")
            total += _inflated_size(rest[1:], budget - total)
        elif ctype == b"iTXt":
            _key, _, rest = body.partition(b"\0")
            compressed, text = rest[:1] == b"\1", rest[2:]
            _lang, _, text = text.partition(b"\0")
            _tkey, _, text = text.partition(b"\0")
            total += _inflated_size(text, budget - total) if compressed else len(text)
        if total > budget:
            break
    return total


def without_text(data: bytes) -> bytes:
    """The PNG with its text chunks removed (anything else unchanged), for the decoder."""
    if not data.startswith(PNG_SIGNATURE):
        return data
    parts = [PNG_SIGNATURE]
    last = len(PNG_SIGNATURE)
    for ctype, start, end in _chunks(data):
        if ctype not in TEXT_CHUNKS:
            parts.append(data[start:end])
        last = end
    parts.append(data[last:])  # a malformed tail goes to the decoder as it was, to be judged
    return b"".join(parts)
