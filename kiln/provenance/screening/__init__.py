"""AI-generation screening of an original upload. No Django needed.

`screen_bytes(data)` reads every place generators write to (PNG text chunks, EXIF, XMP, C2PA,
dwtDct watermarks, NovelAI stealth LSBs) and returns a `ScreenResult`.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field

from . import rules
from .c2pa_read import read_c2pa
from .containers import read_metadata
from .exif import read_exif_texts
from .rules import Finding

__all__ = ["Finding", "ScreenResult", "screen_bytes", "screen_file"]

VERDICT_AI = "ai"
VERDICT_COMPOSITE = "composite"
VERDICT_CLEAN = "clean"


@dataclass
class ScreenResult:
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        if any(not f.composite for f in self.findings):
            return VERDICT_AI
        if self.findings:
            return VERDICT_COMPOSITE
        return VERDICT_CLEAN

    @property
    def ai(self) -> bool:
        return bool(self.findings)

    def as_dict(self) -> dict:
        return {
            "ai": self.ai,
            "verdict": self.verdict,
            "findings": [f.as_dict() for f in self.findings],
        }


_PARAM_KEYS = ("parameters", "sui_image_params")
_INVOKE_KEYS = ("invokeai_metadata", "invokeai_graph", "sd-metadata", "Dream")


def _text_findings(texts: dict[str, list[str]]) -> list[Finding]:
    out: list[Finding] = []
    software = " ".join(texts.get("Software", []))
    for key, values in texts.items():
        for value in values:
            sig = f"png:{key}"
            f = None
            if key == "sui_image_params":
                f = Finding(sig, "SwarmUI", rules.excerpt(value), rules.model_family(value[:4096]))
            elif key == "parameters":
                f = rules.webui_parameters(value, sig) or rules.json_comment(value, software, sig)
                if f is None and value.strip():
                    f = Finding(sig, "Stable Diffusion WebUI", rules.excerpt(value))
            elif key.lower() in ("prompt", "workflow"):
                f = rules.comfy(key, value, sig)
            elif key in _INVOKE_KEYS:
                f = Finding(sig, "InvokeAI", rules.excerpt(value), rules.model_family(value[:4096]))
            elif key == "Comment":
                f = rules.json_comment(value, software, sig) or rules.webui_parameters(value, sig)
            elif key == "Description" and "Job ID" in value:
                f = Finding(sig, "Midjourney", rules.excerpt(value, value.find("Job ID")))
            elif key in ("Software", "Source"):
                hit = rules.known_generator(value)
                if hit:
                    f = Finding(sig, hit[0], rules.excerpt(value, hit[1]))
            elif key == "fooocus_scheme":
                f = Finding(sig, "Fooocus", rules.excerpt(value))
            else:
                f = rules.webui_parameters(value, sig)
                if f is None and "{" in value:
                    f = rules.comfy(key, value, sig)
            if f:
                out.append(f)
    return out


def _exif_findings(tags: dict[str, str]) -> list[Finding]:
    out: list[Finding] = []
    for name, value in tags.items():
        sig = f"exif:{name}"
        # ComfyUI writes "prompt:{...}" / "workflow:{...}" into Make/Model/ImageDescription,
        # converters move the graph (bare or wrapped) into UserComment and elsewhere: any
        # JSON in any field counts.
        if "{" in value:
            f = rules.comfy(name, value, sig)
            if f:
                out.append(f)
                continue
        f = rules.webui_parameters(value, sig)
        if f is None and name in ("UserComment", "XPComment"):
            f = rules.json_comment(value, tags.get("Software", ""), sig)
        if f is None and name in ("Software", "ImageDescription", "Make", "Model", "Artist"):
            hit = rules.known_generator(value)
            if hit:
                f = Finding(sig, hit[0], rules.excerpt(value, hit[1]))
        if f:
            out.append(f)
    return out


def _decode_pillow(data: bytes):
    import numpy as np
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = 200_000_000  # upload caps are enforced upstream
    with Image.open(io.BytesIO(data)) as im:
        im.seek(0)
        return np.asarray(im.convert("RGBA" if "A" in im.getbands() else "RGB"))


def _decode_top_band(data: bytes, rows: int):
    """Only the top rows, decoded sequentially by libvips: both the watermark (row-major
    blocks) and the stealth magic (first column, top 120 rows) live there, so a 12 MP upload
    costs a quarter of a full decode. None when libvips can't give plain 8-bit RGB(A)."""
    try:
        import pyvips

        im = pyvips.Image.new_from_buffer(data, "", access="sequential")
        if im.format != "uchar" or im.bands not in (3, 4):
            return None
        return im.crop(0, 0, im.width, min(rows, im.height)).numpy()
    except Exception:
        return None


def _pixel_findings(data: bytes, res: ScreenResult) -> list[Finding]:
    from .pixels import band_rows, find_stealth, find_watermarks, stealth_json, stealth_magic

    out: list[Finding] = []
    t = time.perf_counter()
    px = _decode_top_band(data, band_rows(data))
    full = None
    if px is None:
        px = full = _decode_pillow(data)
    res.timings_ms["decode"] = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    if stealth_magic(px):
        if full is None:
            full = _decode_pillow(data)
        stealth = find_stealth(full)
        if stealth:
            magic, payload = stealth
            meta = stealth_json(payload) or {}
            gen = "NovelAI"
            if meta.get("Software") and not rules.known_generator(str(meta["Software"])):
                gen = str(meta["Software"])
            out.append(Finding("stealth:" + magic, gen, rules.excerpt(f"{magic} {payload}")))
    res.timings_ms["stealth"] = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    for name, matches, total in find_watermarks(px[:, :, :3]):
        out.append(
            Finding(
                "watermark:dwtDct",
                name,
                f"invisible watermark: {matches}/{total} bits match",
                model=name,
            )
        )
    res.timings_ms["watermark"] = (time.perf_counter() - t) * 1000
    return out


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen = set()
    out = []
    for f in findings:
        key = (f.signal, f.generator, f.composite)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def screen_bytes(data: bytes) -> ScreenResult:
    """Screen the original upload bytes. Never raises on malformed metadata."""
    res = ScreenResult()
    t0 = time.perf_counter()
    md = read_metadata(data)
    res.errors += md.errors
    found: list[Finding] = []
    steps = [
        ("text", lambda: _text_findings(md.texts)),
        (
            "exif",
            lambda: [
                f
                for blob in md.exif_blobs
                for f in _exif_findings(read_exif_texts(blob, res.errors))
            ],
        ),
        (
            "xmp",
            lambda: [
                f
                for p in md.xmp_packets
                for f in rules.digital_source_types(p, "xmp:DigitalSourceType")
            ],
        ),
        ("c2pa", lambda: read_c2pa(data, md.fmt, res.errors) if md.has_c2pa else []),
        ("pixels", lambda: _pixel_findings(data, res)),
    ]
    res.timings_ms["container"] = (time.perf_counter() - t0) * 1000
    for name, step in steps:
        t = time.perf_counter()
        try:
            found += step()
        except Exception as exc:  # one broken signal must not hide the others
            res.errors.append(f"{name}: {exc}"[:300])
        res.timings_ms[name] = (time.perf_counter() - t) * 1000
    res.findings = _dedupe(found)
    res.timings_ms["total"] = (time.perf_counter() - t0) * 1000
    return res


def screen_file(path) -> ScreenResult:
    with open(path, "rb") as fh:
        return screen_bytes(fh.read())
