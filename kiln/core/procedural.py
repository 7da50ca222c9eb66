"""Procedural artwork for demo content and tests: made from numbers, copied from nothing.

Each style is a pure function of a seed, so `seed_demo` is repeatable and every demo artist
gets a recognisable look.
"""

import io

import numpy as np
from PIL import Image

STYLES = ("waves", "cells", "rings", "stripes", "blobs", "dunes")


def _palette(rng: np.random.Generator, count: int = 5) -> np.ndarray:
    base_hue = rng.random()
    hues = (base_hue + np.linspace(0, rng.uniform(0.2, 0.6), count)) % 1.0
    sat = rng.uniform(0.35, 0.8, count)
    val = rng.uniform(0.35, 0.95, count)
    return np.stack([_hsv_to_rgb(h, s, v) for h, s, v in zip(hues, sat, val, strict=True)])


def _hsv_to_rgb(h: float, s: float, v: float) -> np.ndarray:
    i = int(h * 6) % 6
    f = h * 6 - int(h * 6)
    p, q, t = v * (1 - s), v * (1 - f * s), v * (1 - (1 - f) * s)
    return np.array([(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)][i])


def _shade(field: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """Map a scalar field in [0, 1] through the palette with smooth interpolation."""
    field = np.clip(field, 0, 1) * (len(palette) - 1)
    low = np.floor(field).astype(int)
    high = np.minimum(low + 1, len(palette) - 1)
    frac = (field - low)[..., None]
    return palette[low] * (1 - frac) + palette[high] * frac


def artwork(
    seed: int, width: int = 1600, height: int = 1200, style: str | None = None
) -> Image.Image:
    rng = np.random.default_rng(seed)
    style = style or STYLES[seed % len(STYLES)]
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    x /= width
    y /= height
    palette = _palette(rng)
    if style == "waves":
        field = sum(
            np.sin((x * rng.uniform(2, 9) + y * rng.uniform(-4, 4)) * np.pi + rng.uniform(0, 6))
            for _ in range(4)
        )
        field = (field / 8 + 0.5) % 1.0
    elif style == "cells":
        points = rng.random((24, 2))
        dist = np.min([np.hypot(x - px, (y - py) * height / width) for px, py in points], axis=0)
        field = np.clip(dist * 6, 0, 1)
    elif style == "rings":
        cx, cy = rng.random(2)
        r = np.hypot(x - cx, y - cy)
        field = (np.sin(r * rng.uniform(20, 60)) * 0.5 + 0.5) * (1 - np.clip(r, 0, 1) * 0.6)
    elif style == "stripes":
        angle = rng.uniform(0, np.pi)
        u = x * np.cos(angle) + y * np.sin(angle)
        field = (np.floor(u * rng.integers(6, 18)) / 18 + 0.1 * np.sin(y * 30)) % 1.0
    elif style == "blobs":
        field = np.zeros_like(x)
        for _ in range(9):
            cx, cy, s = rng.random(), rng.random(), rng.uniform(0.05, 0.25)
            field += np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * s * s))
        field = field / field.max()
    else:  # dunes
        field = (y + 0.08 * np.sin(x * rng.uniform(6, 14) + y * 3) * rng.uniform(0.5, 2)) % 1.0
    rgb = _shade(field, palette)
    grain = rng.normal(0, 0.02, rgb.shape[:2])[..., None]  # paper-like grain, not flat fills
    rgb = np.clip(rgb + grain, 0, 1)
    return Image.fromarray((rgb * 255).astype(np.uint8), "RGB")


def artwork_bytes(seed: int, width: int = 1600, height: int = 1200, fmt: str = "JPEG") -> bytes:
    out = io.BytesIO()
    artwork(seed, width, height).save(out, fmt, quality=92)
    return out.getvalue()
