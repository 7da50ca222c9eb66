"""Read process evidence: layered source files (PSD, Krita, OpenRaster, Procreate) and WIP stages.

Everything here is pure: bytes in, a `Parsed` (format, layer count, flattened RGB) or a
`ProcessError` with a sentence an artist can read. Limits are checked before anything big is
decoded: a zip's sizes are read from its directory (and enforced again while reading, since a
directory can lie), a PSD's layer count is read from its header before psd-tools parses it.
"""

from __future__ import annotations

import io
import plistlib
import re
import struct
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

import numpy as np
from defusedxml import ElementTree as SafeET
from PIL import Image

MAX_FILE_BYTES = 300 * 1024 * 1024
MAX_LAYERS = 2000  # far beyond real work (Krita's own warnings start in the hundreds)
MAX_ZIP_ENTRIES = 20000  # a .procreate keeps one entry per 256px tile per layer
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024  # all entries together
MAX_RATIO = 200  # uncompressed / compressed for any one entry
MAX_PIXELS = 150_000_000
MIN_STAGES, MAX_STAGES = 2, 10


class ProcessError(ValueError):
    """Bad or unreadable evidence; the message is shown to the artist as is."""


@dataclass(frozen=True)
class Parsed:
    fmt: str  # psd | kra | ora | procreate
    layers: int
    flat: np.ndarray  # RGB uint8
    note: str = ""  # how the flat image was obtained, shown to staff


def sniff(data: bytes, filename: str = "") -> str:
    if data[:4] == b"8BPS":
        return "psd"
    if data[:4] == b"PK\x03\x04":
        name = filename.lower()
        for ext in ("kra", "ora", "procreate"):
            if name.endswith("." + ext):
                return ext
        return "zip"
    return "unknown"


def _image(data: bytes, what: str) -> np.ndarray:
    try:
        im = Image.open(io.BytesIO(data))
        if im.width * im.height > MAX_PIXELS:
            raise ProcessError(f"{what} is {im.width}x{im.height}: too many pixels to check.")
        im.load()
    except ProcessError:
        raise
    except Exception as exc:  # Pillow raises many kinds for broken images
        raise ProcessError(f"{what} is not a readable image ({exc.__class__.__name__}).") from exc
    if im.mode != "RGB":
        bg = Image.new("RGB", im.size, (255, 255, 255))
        rgba = im.convert("RGBA")
        bg.paste(rgba, mask=rgba.getchannel("A"))
        im = bg
    return np.asarray(im)


# ---------------------------------------------------------------- zip containers
class SafeZip:
    """A zip whose names and sizes were checked before any entry is read."""

    def __init__(self, data: bytes, label: str):
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zf.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise ProcessError(f"This {label} file is damaged: it is not a readable zip.") from exc
        if len(infos) > MAX_ZIP_ENTRIES:
            raise ProcessError(
                f"This {label} file has {len(infos)} entries; the limit is {MAX_ZIP_ENTRIES}."
            )
        total = 0
        for info in infos:
            name = info.filename
            parts = name.replace("\\", "/").split("/")
            if name.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
                raise ProcessError(
                    f"This {label} file contains an unsafe path ({name[:80]!r}); it was refused."
                )
            if info.file_size > MAX_RATIO * max(info.compress_size, 1024):
                raise ProcessError(
                    f"This {label} file looks like a zip bomb: {name[:80]!r} would expand "
                    f"{info.file_size // max(info.compress_size, 1)}-fold."
                )
            total += info.file_size
        if total > MAX_UNPACKED_BYTES:
            raise ProcessError(f"This {label} file would unpack to more than 1 GB; it was refused.")
        self.label = label
        self.names = {i.filename for i in infos}

    def read(self, name: str, limit: int = 256 * 1024 * 1024) -> bytes:
        info = self.zf.getinfo(name)
        with self.zf.open(info) as fh:  # the directory's sizes can lie: cap the real stream
            data = fh.read(min(limit, info.file_size) + 1)
        if len(data) > min(limit, info.file_size):
            raise ProcessError(f"This {self.label} file's {name!r} is larger than it says.")
        return data

    def xml(self, name: str) -> ElementTree.Element:
        if name not in self.names:
            raise ProcessError(f"This {self.label} file has no {name}.")
        raw = self.read(name, 32 * 1024 * 1024)
        if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:  # no entity expansion, ever
            raise ProcessError(f"This {self.label} file's {name} declares entities; refused.")
        try:
            return SafeET.fromstring(raw)
        except (ElementTree.ParseError, ValueError) as exc:  # defusedxml raises ValueErrors
            raise ProcessError(f"This {self.label} file's {name} is not valid XML.") from exc


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _count_layers(root: ElementTree.Element) -> int:
    return sum(1 for el in root.iter() if _local(el.tag) == "layer")


def _check_layers(n: int, label: str) -> int:
    if n > MAX_LAYERS:
        raise ProcessError(
            f"This {label} file has {n} layers; Kiln checks files of up to {MAX_LAYERS}."
        )
    if n < 1:
        raise ProcessError(f"This {label} file has no layers.")
    return n


def parse_kra(data: bytes) -> Parsed:
    z = SafeZip(data, "Krita")
    n = _check_layers(_count_layers(z.xml("maindoc.xml")), "Krita")
    if "mergedimage.png" not in z.names:
        raise ProcessError("This Krita file has no merged image (mergedimage.png) to compare.")
    return Parsed(
        "kra", n, _image(z.read("mergedimage.png"), "Its merged image"), "Krita's merged image"
    )


def parse_ora(data: bytes) -> Parsed:
    z = SafeZip(data, "OpenRaster")
    stack = z.xml("stack.xml")
    layers = [el for el in stack.iter() if _local(el.tag) == "layer"]
    n = _check_layers(len(layers), "OpenRaster")
    if "mergedimage.png" in z.names:
        return Parsed(
            "ora", n, _image(z.read("mergedimage.png"), "Its merged image"), "merged image"
        )
    w, h = int(stack.get("w", 0)), int(stack.get("h", 0))
    if not (0 < w * h <= MAX_PIXELS):
        raise ProcessError("This OpenRaster file has no usable canvas size.")
    canvas = Image.new("RGBA", (w, h), (255, 255, 255, 255))
    for el in reversed(layers):  # stack.xml lists the top layer first
        src = el.get("src", "")
        if src not in z.names or el.get("visibility", "visible") == "hidden":
            continue
        layer = Image.fromarray(_rgba(z.read(src), "A layer"))
        canvas.alpha_composite(layer, (int(el.get("x", 0)), int(el.get("y", 0))))
    return Parsed("ora", n, np.asarray(canvas.convert("RGB")), "layers composited by Kiln")


def _rgba(data: bytes, what: str) -> np.ndarray:
    try:
        im = Image.open(io.BytesIO(data))
        if im.width * im.height > MAX_PIXELS:
            raise ProcessError(f"{what} has too many pixels.")
        return np.asarray(im.convert("RGBA"))
    except ProcessError:
        raise
    except Exception as exc:
        raise ProcessError(f"{what} is not a readable image.") from exc


MAX_ARCHIVE_OBJECTS = 200_000


def procreate_archive(raw: bytes) -> tuple[list[str], tuple[int, int] | None]:
    """The layers' UUIDs, and the canvas size, from Document.archive: a binary property list
    written by NSKeyedArchiver, where objects point at each other by index (UIDs) from
    `$objects`, starting at `$top.root` (a SilicaDocument whose `layers` is an NSArray)."""
    try:
        archive = plistlib.loads(raw)
        objects = archive["$objects"]
        if len(objects) > MAX_ARCHIVE_OBJECTS:
            raise ProcessError("This Procreate file's Document.archive is too large to read.")

        def deref(value):
            return objects[value.data] if isinstance(value, plistlib.UID) else value

        root = deref(archive["$top"]["root"])
        layer_refs = deref(root["layers"])["NS.objects"]
        if len(layer_refs) > MAX_LAYERS:
            _check_layers(len(layer_refs), "Procreate")
        uuids = [str(deref(deref(ref)["UUID"])) for ref in layer_refs]
        size = None
        match = re.fullmatch(r"\{\s*(\d+)\s*,\s*(\d+)\s*\}", str(deref(root.get("size", ""))))
        if match:
            size = (int(match[1]), int(match[2]))
    except ProcessError:
        raise
    except Exception as exc:  # not a plist, or not the shape Procreate writes
        raise ProcessError(
            "This Procreate file's Document.archive could not be read as a Procreate document."
        ) from exc
    return uuids, size


def parse_procreate(data: bytes) -> Parsed:
    """Procreate keeps each layer as LZO-compressed tiles under a folder named by the layer's
    UUID. Kiln does not decode the tiles: it counts the layers that Document.archive lists,
    checks that every folder of tiles belongs to one of them, and compares the document's own
    preview (QuickLook/Thumbnail.png) with the work. It cannot tell whether that preview is
    what the layers would composite to."""
    z = SafeZip(data, "Procreate")
    if "Document.archive" not in z.names:
        raise ProcessError("This Procreate file has no Document.archive.")
    uuids, size = procreate_archive(z.read("Document.archive", 32 * 1024 * 1024))
    n = _check_layers(len(uuids), "Procreate")
    tiled = {name.split("/", 1)[0] for name in z.names if name.endswith(".chunk") and "/" in name}
    strays = tiled - set(uuids)
    if strays:
        raise ProcessError(
            f"This Procreate file has painted tiles for {len(strays)} layer(s) that its "
            "Document.archive does not list; it is not a document Procreate wrote."
        )
    thumb = "QuickLook/Thumbnail.png"
    if thumb not in z.names:
        raise ProcessError(
            "This Procreate file has no preview (QuickLook/Thumbnail.png) to compare."
        )
    flat = _image(z.read(thumb), "Its preview")
    if size is not None:
        w, h = size
        th, tw = flat.shape[:2]
        # Procreate stores the size unrotated; its preview may be turned by 90 degrees.
        if min(abs(tw / th - w / h), abs(tw / th - h / w)) > 0.05 * max(w / h, h / w):
            raise ProcessError(
                f"This Procreate file's preview ({tw}x{th}) does not have its canvas's "
                f"proportions ({w}x{h})."
            )
    note = f"Procreate's own preview; {len(tiled)} of {n} layers have painted tiles"
    return Parsed("procreate", n, flat, note)


# ---------------------------------------------------------------- PSD
def psd_layer_count(data: bytes) -> int:
    """The layer count from the PSD header, without parsing the layers themselves."""
    try:
        version = struct.unpack(">H", data[4:6])[0]
        pos = 26
        for _ in range(2):  # colour mode data, image resources
            (n,) = struct.unpack(">I", data[pos : pos + 4])
            pos += 4 + n
        wide = version == 2  # PSB uses 8-byte lengths here
        lm_len = struct.unpack(">Q" if wide else ">I", data[pos : pos + (8 if wide else 4)])[0]
        if lm_len == 0:
            return 0
        pos += 8 if wide else 4
        li_len = struct.unpack(">Q" if wide else ">I", data[pos : pos + (8 if wide else 4)])[0]
        if li_len == 0:
            return 0
        pos += 8 if wide else 4
        return abs(struct.unpack(">h", data[pos : pos + 2])[0])
    except struct.error as exc:
        raise ProcessError("This PSD file is truncated.") from exc


def parse_psd(data: bytes) -> Parsed:
    n = psd_layer_count(data)
    if n > MAX_LAYERS:
        raise ProcessError(
            f"This PSD file has {n} layers; Kiln checks files of up to {MAX_LAYERS}."
        )
    from psd_tools import PSDImage

    try:
        psd = PSDImage.open(io.BytesIO(data))
        if psd.width * psd.height > MAX_PIXELS:
            raise ProcessError("This PSD file has too many pixels to check.")
        layers = sum(1 for layer in psd.descendants() if not layer.is_group())
        im = psd.topil()  # the merged image the editor saved
        note = "the file's saved composite"
        if im is None:
            im, note = psd.composite(), "layers composited by psd-tools"
    except ProcessError:
        raise
    except Exception as exc:
        raise ProcessError(f"This PSD file could not be read ({exc.__class__.__name__}).") from exc
    _check_layers(layers, "PSD")
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return Parsed("psd", layers, _image(buf.getvalue(), "Its composite"), note)


def parse_layered(data: bytes, filename: str = "") -> Parsed:
    if len(data) > MAX_FILE_BYTES:
        raise ProcessError("This file is larger than 300 MB.")
    fmt = sniff(data, filename)
    parsers = {"psd": parse_psd, "kra": parse_kra, "ora": parse_ora, "procreate": parse_procreate}
    if fmt not in parsers:
        raise ProcessError(
            "Kiln reads layered files in PSD, Krita (.kra), OpenRaster (.ora) or Procreate "
            "(.procreate) format; this file is none of them."
        )
    return parsers[fmt](data)


# ---------------------------------------------------------------- WIP stages
def _thumb(rgb: np.ndarray, side: int = 64) -> np.ndarray:
    im = Image.fromarray(rgb).convert("RGB").resize((side, side), Image.Resampling.BOX)
    return np.asarray(im, dtype=np.float64)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """1 - mean absolute difference of 64x64 colour thumbnails over 64 levels, floored at 0:
    1 for the same picture, 0 for anything a quarter of the range away on average.
    (Correlation was tried first: it calls a half-painted canvas less similar than a blank one.)"""
    return float(max(0.0, 1 - np.abs(_thumb(a) - _thumb(b)).mean() / 64))


def check_stages(stages: list[np.ndarray], final: np.ndarray) -> list[float]:
    """Each stage must have the final's proportions, and their similarity to the final must
    rise (within a small tolerance for a stage that erased something)."""
    if not MIN_STAGES <= len(stages) <= MAX_STAGES:
        raise ProcessError(
            f"Attach {MIN_STAGES} to {MAX_STAGES} stages, in order; got {len(stages)}."
        )
    fh, fw = final.shape[:2]
    sims = []
    for i, s in enumerate(stages, 1):
        h, w = s.shape[:2]
        if abs(w / h - fw / fh) > 0.02 * fw / fh:
            raise ProcessError(
                f"Stage {i} is {w}x{h}; it does not line up with the work ({fw}x{fh})."
            )
        sims.append(round(similarity(s, final), 3))
    for i in range(1, len(sims)):
        if sims[i] < sims[i - 1] - 0.05:
            raise ProcessError(
                f"Stage {i + 1} is less like the work than stage {i} ({sims[i]:.2f} < "
                f"{sims[i - 1]:.2f}); attach the stages in the order they were made."
            )
    if sims[-1] < 0.5:
        raise ProcessError(
            f"The last stage does not look like the work (similarity {sims[-1]:.2f})."
        )
    return sims


def read_stage(data: bytes, i: int) -> np.ndarray:
    return _image(data, f"Stage {i}")
