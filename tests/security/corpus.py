"""A hostile-upload corpus, generated in code (nothing binary is committed).

`corpus()` returns {name: bytes}: bombs (PNG text, pixel-count, frame-count, IDAT), polyglots,
truncations and bit flips of every accepted format, odd colour spaces, tiny and wrong files.
`bomb_png()` is the 40-chunk zTXt file from issue 25 at any scale (bench/media_bomb.py).
"""

import io
import random
import struct
import zlib

import pyvips
from PIL import Image


def png_chunk(ctype: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(ctype + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", crc)


def _png_with(chunks: list[bytes], width=16, height=16) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\0" + b"\x80" * (3 * width) for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + b"".join(chunks)
        + png_chunk(b"IDAT", zlib.compress(rows))
        + png_chunk(b"IEND", b"")
    )


def bomb_png(chunks: int = 40, megabytes_each: int = 40, kind: bytes = b"zTXt") -> bytes:
    """Text chunks that each inflate to `megabytes_each` MB of "A" (issue 25: 40 × 40 MB)."""
    packed = zlib.compress(b"A" * (megabytes_each << 20), 9)
    bodies = []
    for i in range(chunks):
        key = b"k%d\0" % i
        if kind == b"zTXt":
            bodies.append(png_chunk(b"zTXt", key + b"\0" + packed))
        elif kind == b"iTXt":
            bodies.append(png_chunk(b"iTXt", key + b"\1\0\0\0" + packed))
        else:
            bodies.append(png_chunk(b"tEXt", key + b"A" * (megabytes_each << 20)))
    return _png_with(bodies)


def _iccp_bomb(megabytes: int) -> bytes:
    packed = zlib.compress(b"\0" * (megabytes << 20), 9)
    return _png_with([png_chunk(b"iCCP", b"icc\0\0" + packed)])


def _idat_bomb(width: int, height: int) -> bytes:
    """A PNG whose header claims width × height; the pixels are a small zlib of zeros."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    packed = zlib.compress(b"\0" * min((width + 1) * height, 8 << 20), 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", packed)
        + png_chunk(b"IEND", b"")
    )


def _save(image: Image.Image, fmt: str, **kwargs) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def _gif_frames(frames: int, size=(8, 8)) -> bytes:
    images = []
    for i in range(frames):  # each frame differs, so no encoder merges them
        frame = Image.new("L", size, 0)
        frame.putpixel((i % size[0], (i // size[0]) % size[1]), 255 - i % 200)
        images.append(frame)
    return _save(images[0], "GIF", save_all=True, append_images=images[1:], duration=10)


def _header_lies(fmt: str, width: int, height: int) -> bytes:
    """A valid small file whose header is patched to claim a huge size."""
    if fmt == "gif":
        data = bytearray(_save(Image.new("P", (4, 4)), "GIF"))
        data[6:10] = struct.pack("<HH", width, height)
        return bytes(data)
    if fmt == "jpeg":
        data = bytearray(_save(Image.new("RGB", (8, 8)), "JPEG"))
        sof = data.find(b"\xff\xc0")
        data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
        return bytes(data)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IEND", b"")


def valid_files() -> dict[str, bytes]:
    """One small, valid file of each accepted format (the seeds of the mutations)."""
    rgb = Image.new("RGB", (48, 32), (200, 80, 40))
    return {
        "jpeg": _save(rgb, "JPEG", quality=85),
        "png": _save(rgb, "PNG"),
        "gif": _save(rgb.convert("P"), "GIF"),
        "webp": _save(rgb, "WEBP"),
        "avif": (pyvips.Image.black(48, 32, bands=3) + [120, 40, 200])
        .cast("uchar")
        .heifsave_buffer(compression="av1", Q=60),
    }


def _colour_oddities() -> dict[str, bytes]:
    files = {
        "cmyk.jpg": _save(Image.new("CMYK", (32, 32), (0, 200, 200, 0)), "JPEG"),
        "grey.jpg": _save(Image.new("L", (32, 32), 90), "JPEG"),
        "grey-alpha.png": _save(Image.new("LA", (32, 32), (90, 10)), "PNG"),
        "palette-trns.png": _save(Image.new("P", (32, 32), 3), "PNG", transparency=3),
        "bilevel.png": _save(Image.new("1", (32, 32), 1), "PNG"),
        "rgba.webp": _save(Image.new("RGBA", (32, 32), (1, 2, 3, 4)), "WEBP"),
        "16bit.png": pyvips.Image.black(32, 32, bands=3).cast("ushort").pngsave_buffer(),
        "bogus-icc.jpg": _save(Image.new("RGB", (32, 32)), "JPEG", icc_profile=b"\0" * 200),
        "bogus-icc.png": _save(Image.new("RGB", (32, 32)), "PNG", icc_profile=b"junk" * 50),
        "lab.png": _png_with([png_chunk(b"sRGB", b"\7")]),  # an out-of-range rendering intent
    }
    for side in (1, 2, 3, 7):
        files[f"tiny-{side}.jpg"] = _save(Image.new("RGB", (side, side), (9, 9, 9)), "JPEG")
        files[f"tiny-{side}.png"] = _save(Image.new("RGB", (side, side)), "PNG")
        files[f"tiny-{side}.gif"] = _save(Image.new("P", (side, side)), "GIF")
    files["sliver-1x3000.png"] = _save(Image.new("L", (1, 3000)), "PNG")
    files["sliver-3000x1.jpg"] = _save(Image.new("RGB", (3000, 1)), "JPEG")
    return files


def _polyglots(seeds: dict[str, bytes]) -> dict[str, bytes]:
    payloads = {
        "script": b"<script>alert(1)</script>",
        "html": b"<html><body>hi</body></html>",
        "svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        "php": b"<?php system($_GET['c']); ?>",
        "pdf": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF",
    }
    files = {}
    for fmt, data in seeds.items():
        for name, payload in payloads.items():
            files[f"polyglot-{fmt}-tail-{name}"] = data + payload
        files[f"polyglot-{fmt}-zip"] = (
            data + b"PK\x03\x04" + b"\0" * 26 + b"PK\x05\x06" + b"\0" * 18
        )
    files["polyglot-gifar-js"] = b"GIF89a/*" + b"\0" * 10 + b"*/=1;alert(1)//" + seeds["gif"][6:]
    files["polyglot-png-head-html"] = (
        seeds["png"][:33] + png_chunk(b"tEXt", b"c\0<html><script>x</script>") + seeds["png"][33:]
    )
    return files


def _mutations(seeds: dict[str, bytes]) -> dict[str, bytes]:
    files = {}
    rng = random.Random(25)  # fixed: the same corpus on every run
    for fmt, data in seeds.items():
        for fraction in (0.02, 0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9, 0.97, 0.995):
            files[f"truncated-{fmt}-{fraction}"] = data[: max(1, int(len(data) * fraction))]
        for i in range(10):
            flipped = bytearray(data)
            for _ in range(1 + i):
                pos = rng.randrange(16, len(flipped))
                flipped[pos] ^= 1 << rng.randrange(8)
            files[f"bitflip-{fmt}-{i}"] = bytes(flipped)
        files[f"doubled-{fmt}"] = data + data
        files[f"header-only-{fmt}"] = data[:64]
    return files


def _bombs() -> dict[str, bytes]:
    files = {
        # Over the 16 MB total text cap, in small files that stay quick to count.
        "bomb-ztxt-9x2MB": bomb_png(9, 2),
        "bomb-itxt-9x2MB": bomb_png(9, 2, kind=b"iTXt"),
        "bomb-ztxt-1x17MB": bomb_png(1, 17),
        "bomb-iccp-20MB": _iccp_bomb(20),
        "bomb-many-small-text": _png_with([png_chunk(b"tEXt", b"k%d\0v" % i) for i in range(5000)]),
        "bomb-idat-100MP": _idat_bomb(10_000, 10_001),
        "bomb-idat-side": _idat_bomb(40_000, 2),
        "bomb-gif-frames": _gif_frames(1_200),
        "bomb-gif-frames-big": _gif_frames(200, size=(1000, 1000)),
    }
    for fmt in ("gif", "jpeg", "png"):
        files[f"bomb-header-{fmt}-65535"] = _header_lies(fmt, 65_535, 65_535)
        files[f"bomb-header-{fmt}-zero"] = _header_lies(fmt, 0, 0)
    return files


def _not_images() -> dict[str, bytes]:
    return {
        "empty": b"",
        "one-byte": b"\xff",
        "svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "html": b"<!doctype html><html><script>alert(1)</script></html>",
        "bmp": _save(Image.new("RGB", (8, 8)), "BMP"),
        "tiff": _save(Image.new("RGB", (8, 8)), "TIFF"),
        "ico": _save(Image.new("RGB", (16, 16)), "ICO"),
        "text": b"just some text, named like an image",
        "jpeg-magic-only": b"\xff\xd8\xff",
        "png-magic-only": b"\x89PNG\r\n\x1a\n",
        "ftyp-junk": b"\0\0\0\x18ftypavif\0\0\0\0avifmif1" + b"\0" * 40,
        "riff-junk": b"RIFF\x10\0\0\0WEBPVP8 " + b"\0" * 20,
        "gif-magic-only": b"GIF89a",
        "heic-brand-junk": b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"\0" * 40,
        "nul-kilobyte": b"\0" * 1024,
    }


def corpus() -> dict[str, bytes]:
    seeds = valid_files()
    files = {}
    for part in (_bombs(), _polyglots(seeds), _mutations(seeds), _colour_oddities()):
        files.update(part)
    files.update(_not_images())
    files.update({f"valid-{fmt}": data for fmt, data in seeds.items()})
    return files
