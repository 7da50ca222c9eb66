"""The real operations the artist's report measures the cloak against (PIL, deterministic).

Each takes and returns an HxWx3 uint8 array. "Trainer" is what fine-tuning scripts do to an
image before their autoencoder sees it: aspect-ratio bucketing (kohya, SimpleTuner) scales it
so its area is size², resamples bicubically (antialiased) and centre-crops to multiples of 64.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageFilter

NOISE_SIGMA = 4 / 255  # "noisy upscaling": Gaussian noise, then 2x Lanczos up and back down


def trainer(arr: np.ndarray, size: int) -> np.ndarray:
    h, w = arr.shape[:2]
    s = size / (h * w) ** 0.5
    nw, nh = max(64, round(w * s)), max(64, round(h * s))
    im = Image.fromarray(arr).resize((nw, nh), Image.Resampling.BICUBIC)
    cw, ch = nw - nw % 64, nh - nh % 64
    left, top = (nw - cw) // 2, (nh - ch) // 2
    return np.asarray(im.crop((left, top, left + cw, top + ch)))


def jpeg(arr: np.ndarray, quality: int = 85) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def half(arr: np.ndarray) -> np.ndarray:
    h, w = arr.shape[:2]
    size = (max(1, w // 2), max(1, h // 2))
    return np.asarray(Image.fromarray(arr).resize(size, Image.Resampling.LANCZOS))


def noisy_upscale(arr: np.ndarray, seed: int = 0) -> np.ndarray:
    """A cheap stand-in for diffusion upscaling (which would purify more strongly)."""
    rng = np.random.default_rng(seed)
    noisy = arr.astype(np.float32) + rng.normal(0, NOISE_SIGMA * 255, arr.shape)
    im = Image.fromarray(np.clip(noisy, 0, 255).round().astype(np.uint8))
    w, h = im.size
    big = im.resize((2 * w, 2 * h), Image.Resampling.LANCZOS)
    return np.asarray(big.resize((w, h), Image.Resampling.LANCZOS))


def median3(arr: np.ndarray) -> np.ndarray:
    return np.asarray(Image.fromarray(arr).filter(ImageFilter.MedianFilter(3)))


# key (as in kiln.cloak.summary.MEASURES) -> operation; the taef2 round trip needs the
# decoder and lives in kiln.cloak.metrics.
OPERATIONS = {
    "trainer_1024": lambda a: trainer(a, 1024),
    "trainer_512": lambda a: trainer(a, 512),
    "jpeg85": lambda a: jpeg(a, 85),
    "jpeg75": lambda a: jpeg(a, 75),
    "jpeg90": lambda a: jpeg(a, 90),
    "noisy_upscale": noisy_upscale,
    "median3": median3,
    "half": half,
}
