"""Images generated in code for the media tests (no binaries are committed)."""

import io
import struct
import zlib

import pyvips
from PIL import Image


def jpeg(width=640, height=480, *, quality=90, exif=None, mode="RGB", color=(200, 80, 40)) -> bytes:
    image = Image.new(mode, (width, height), color if mode != "CMYK" else (0, 200, 200, 0))
    # A little structure so encoders have something to do.
    for x in range(0, width, max(1, width // 8)):
        for y in range(height):
            image.putpixel((x, y), (20, 20, 20) if mode == "RGB" else (0, 0, 0, 230))
    buffer = io.BytesIO()
    kwargs = {"quality": quality}
    if exif is not None:
        kwargs["exif"] = exif
    image.save(buffer, "JPEG", **kwargs)
    return buffer.getvalue()


def png(width=64, height=48, *, mode="RGB", color=(10, 120, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


def webp(width=64, height=48) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 160, 90)).save(buffer, "WEBP")
    return buffer.getvalue()


def gif(width=64, height=48) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 60, 190)).save(buffer, "GIF")
    return buffer.getvalue()


def avif(width=64, height=48) -> bytes:
    image = pyvips.Image.black(width, height, bands=3) + [120, 40, 200]
    return image.cast("uchar").heifsave_buffer(compression="av1", Q=60)


def heic(width=64, height=48) -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (220, 30, 30)).save(buffer, "HEIF")
    return buffer.getvalue()


def animated_webp(frames=4, width=80, height=60) -> bytes:
    images = [Image.new("RGB", (width, height), (i * 50, 100, 200 - i * 40)) for i in range(frames)]
    buffer = io.BytesIO()
    images[0].save(buffer, "WEBP", save_all=True, append_images=images[1:], duration=80, loop=0)
    return buffer.getvalue()


def animated_gif(frames=3, width=40, height=30) -> bytes:
    images = [Image.new("RGB", (width, height), (i * 70, 20, 90)) for i in range(frames)]
    buffer = io.BytesIO()
    images[0].save(buffer, "GIF", save_all=True, append_images=images[1:], duration=100, loop=0)
    return buffer.getvalue()


def gif_with_frames(count: int) -> bytes:
    """A 1×1 GIF with `count` frames, assembled by hand (Pillow would take seconds)."""
    header = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00"
    loop = b"!\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
    frame = b"!\xf9\x04\x00\x01\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00"
    return header + loop + frame * count + b";"


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_only(width: int, height: int, *, bit_depth=1, colour_type=0) -> bytes:
    """A valid PNG of any size: 1-bit grey, all zero, deflated (a bomb at 30000×30000)."""
    row = b"\x00" + b"\x00" * ((width * bit_depth + 7) // 8)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row * min(height, 2000)) for _ in range(1))
    chunks = [body]
    remaining = height - min(height, 2000)
    block = row * 2000
    while remaining > 0:
        take = min(remaining, 2000)
        chunks.append(compressor.compress(block if take == 2000 else row * take))
        remaining -= take
    chunks.append(compressor.flush())
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", b"".join(chunks))
        + _png_chunk(b"IEND", b"")
    )


def png_16bit(width=48, height=32) -> bytes:
    image = (pyvips.Image.black(width, height, bands=3) + [40000, 10000, 60000]).cast("ushort")
    return image.copy(interpretation="rgb16").pngsave_buffer(bitdepth=16)


def cmyk_jpeg(width=64, height=48) -> bytes:
    buffer = io.BytesIO()
    # Pure cyan in CMYK: it must come out cyan-ish (low red, high green and blue).
    Image.new("CMYK", (width, height), (255, 0, 0, 0)).save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def jpeg_with_gps_and_big_exif(width=120, height=90) -> bytes:
    """A JPEG with GPS in its EXIF plus about 1 MB of further APP1 metadata segments."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    gps = {1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)}
    exif[0x8825] = gps
    base = jpeg(width, height, exif=exif.tobytes())
    filler = b"Exif\x00\x00" + b"\x00" * 65000
    segment = b"\xff\xe1" + struct.pack(">H", len(filler) + 2) + filler
    return (
        base[:2]
        + base[2:].split(b"\xff\xdb", 1)[0]
        + segment * 16
        + b"\xff\xdb"
        + base[2:].split(b"\xff\xdb", 1)[1]
    )


def truncated_jpeg() -> bytes:
    data = jpeg(400, 300)
    return data[: len(data) // 2]


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script><rect width='10' height='10'/></svg>"
)
HTML_AS_JPG = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
PSD = b"8BPS\x00\x01" + b"\x00" * 40
TIFF = b"II*\x00\x08\x00\x00\x00" + b"\x00" * 32


def tiff() -> bytes:
    return (pyvips.Image.black(8, 8) + 1).cast("uchar").tiffsave_buffer()


def gif_html_polyglot() -> bytes:
    return gif() + b"<script>alert(1)</script>"


def display_p3_jpeg(width=64, height=48, srgb=(200, 60, 40)) -> bytes:
    """An sRGB colour re-expressed in Display P3, with the P3 profile embedded."""
    image = (pyvips.Image.black(width, height, bands=3) + list(srgb)).cast("uchar")
    p3 = image.copy(interpretation="srgb").icc_transform("p3", input_profile="srgb")
    return p3.cast("uchar").jpegsave_buffer(Q=98, keep=pyvips.enums.ForeignKeep.ICC)
