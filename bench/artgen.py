"""Procedural, distinct 'artworks' for repost benchmarks and tests (no files needed)."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter


def artwork(seed: int, size: tuple[int, int] | None = None) -> Image.Image:
    rng = np.random.default_rng(seed)
    w, h = size or (int(rng.integers(420, 640)), int(rng.integers(320, 520)))
    style = seed % 4
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    palette = rng.integers(0, 256, (6, 3))
    if style == 0:  # gradient sky + shapes
        t = (x * rng.uniform(-1, 1) + y * rng.uniform(0.2, 1)) / (w + h)
        base = palette[0] * (1 - t[..., None]) + palette[1] * t[..., None]
    elif style == 1:  # interference pattern
        f = rng.uniform(0.005, 0.05, 4)
        v = np.sin(x * f[0] + y * f[1]) + np.cos(x * f[2] - y * f[3])
        base = palette[2] + (palette[3] - palette[2]) * ((v + 2) / 4)[..., None]
    elif style == 2:  # cells, computed at quarter resolution then scaled up (speed)
        cx, cy = rng.uniform(0, w, 24), rng.uniform(0, h, 24)
        ys, xs = y[::4, ::4], x[::4, ::4]
        cell = ((xs[..., None] - cx) ** 2 + (ys[..., None] - cy) ** 2).argmin(-1)
        cols = rng.integers(0, 256, (24, 3)).astype(np.uint8)
        small = Image.fromarray(cols[cell])
        base = np.asarray(small.resize((w, h), Image.Resampling.NEAREST), np.float32)
    else:  # blurred noise landscape
        small = rng.uniform(0, 255, (h // 16 + 1, w // 16 + 1, 3)).astype(np.uint8)
        base = np.asarray(
            Image.fromarray(small).resize((w, h), Image.Resampling.BICUBIC), np.float32
        )
    base = base + rng.normal(0, 6, (h, w, 1))
    im = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(im)
    for _ in range(int(rng.integers(8, 30))):
        kind = rng.integers(0, 3)
        x0, y0 = rng.uniform(-0.1 * w, w), rng.uniform(-0.1 * h, h)
        x1, y1 = x0 + rng.uniform(10, w / 2.5), y0 + rng.uniform(10, h / 2.5)
        col = tuple(int(c) for c in rng.integers(0, 256, 3))
        if kind == 0:
            draw.ellipse((x0, y0, x1, y1), fill=col)
        elif kind == 1:
            pts = [
                (float(rng.uniform(0, w)), float(rng.uniform(0, h)))
                for _ in range(int(rng.integers(3, 6)))
            ]
            draw.polygon(pts, fill=col)
        else:
            draw.line((x0, y0, x1, y1), fill=col, width=int(rng.integers(2, 14)))
    if rng.uniform() < 0.5:
        im = im.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.5, 2))))
    return im
