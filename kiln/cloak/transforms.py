"""Differentiable stand-ins for what a trainer does to an image before its autoencoder sees it.

Expectation over transformation (Athalye et al. 2018): each attack step draws one of these
and pushes the latent of the transformed cloaked image away from the latent of the
identically transformed original, so the cloak is tuned to survive resizing, cropping,
flipping, JPEG and noise instead of only the exact pixels uploaded. The measures the artist
sees use the real (PIL) operations in kiln.cloak.purify, not these approximations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

# libjpeg's quantisation tables (ITU T.81, Annex K), row-major 8x8.
_Q_LUMA = [
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
    14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
    18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
]  # fmt: skip
_Q_CHROMA = [
    17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99,
    24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
] + [99] * 32  # fmt: skip


def _dct_matrix() -> torch.Tensor:
    d = torch.zeros(8, 8)
    for k in range(8):
        for n in range(8):
            a = math.sqrt(1 / 8) if k == 0 else math.sqrt(2 / 8)
            d[k, n] = a * math.cos(math.pi * (2 * n + 1) * k / 16)
    return d


_DCT = _dct_matrix()


def quant_table(base: list[int], quality: int) -> torch.Tensor:
    """libjpeg's quality scaling of a base table."""
    scale = 5000 / quality if quality < 50 else 200 - 2 * quality
    t = torch.tensor(base, dtype=torch.float32).view(8, 8)
    return ((t * scale + 50) // 100).clamp(1, 255)


def _round_soft(v: torch.Tensor) -> torch.Tensor:
    """Rounding whose gradient is not zero (Shin & Song 2017): round(v) + (v - round(v))^3."""
    r = torch.round(v)
    return r + (v - r) ** 3


def _blockwise(ch: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """DCT, quantise, dequantise, inverse DCT on 8x8 blocks of Bx1xHxW (H, W multiples of 8)."""
    b, _, h, w = ch.shape
    d = _DCT.to(ch.device)
    blocks = ch.view(b, h // 8, 8, w // 8, 8).permute(0, 1, 3, 2, 4)
    coef = d @ blocks @ d.T
    q = q.to(ch.device)
    coef = _round_soft(coef / q) * q
    out = d.T @ coef @ d
    return out.permute(0, 1, 3, 2, 4).reshape(b, 1, h, w)


def jpeg_diff(x: torch.Tensor, quality: int) -> torch.Tensor:
    """Differentiable JPEG (YCbCr, 4:2:0 chroma, libjpeg tables) of 1x3xHxW in [0, 1]."""
    h, w = x.shape[-2:]
    ph, pw = (-h) % 16, (-w) % 16
    xp = F.pad(x, (0, pw, 0, ph), mode="replicate") if (ph or pw) else x
    v = xp.float() * 255
    r, g, bl = v[:, 0:1], v[:, 1:2], v[:, 2:3]
    y = 0.299 * r + 0.587 * g + 0.114 * bl
    cb = -0.168736 * r - 0.331264 * g + 0.5 * bl
    cr = 0.5 * r - 0.418688 * g - 0.081312 * bl
    y = _blockwise(y - 128, quant_table(_Q_LUMA, quality)) + 128
    qc = quant_table(_Q_CHROMA, quality)
    chroma = []
    for c in (cb, cr):
        small = F.avg_pool2d(c, 2)
        small = _blockwise(small, qc)
        chroma.append(F.interpolate(small, scale_factor=2, mode="bilinear", align_corners=False))
    cb, cr = chroma
    r = y + 1.402 * cr
    g = y - 0.344136 * cb - 0.714136 * cr
    bl = y + 1.772 * cb
    out = torch.cat([r, g, bl], 1) / 255
    return out[:, :, :h, :w].clamp(0, 1)


@dataclass(frozen=True)
class Transform:
    """One draw of a trainer's pipeline; applied identically to the original and the cloak."""

    scale: float = 1.0  # resize factor (one of SCALES)
    mode: str = "bicubic"  # "bicubic" | "area" | "bilinear" (all antialiased)
    crop: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # top, left, bottom, right
    flip: bool = False
    quality: int | None = None  # JPEG quality, None for none
    noise: float = 0.0  # Gaussian sigma, in [0, 1] units
    seed: int = 0

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        h, w = x.shape[-2:]
        # Crop, then resize to a size that depends only on the input size and the scale (as
        # a random resized crop does): the encoders then see a few distinct shapes per tile,
        # and oneDNN compiles its kernels once per shape instead of at every step.
        size = (_round32(h * self.scale), _round32(w * self.scale))
        t, lft, b, r = self.crop
        x = x[:, :, int(t * h) : h - int(b * h), int(lft * w) : w - int(r * w)]
        if self.flip:
            x = x.flip(-1)
        if tuple(x.shape[-2:]) != size:
            if self.mode == "area" and size[0] <= x.shape[-2] and size[1] <= x.shape[-1]:
                x = F.interpolate(x, size=size, mode="area")
            else:
                mode = "bilinear" if self.mode == "area" else self.mode
                x = F.interpolate(x, size=size, mode=mode, antialias=True, align_corners=False)
            x = x.clamp(0, 1)
        if self.quality is not None:
            x = jpeg_diff(x, self.quality)
        if self.noise > 0:
            g = torch.Generator().manual_seed(self.seed)
            x = (x + self.noise * torch.randn(x.shape, generator=g).to(x.device)).clamp(0, 1)
        return x


IDENTITY = Transform()
SCALES = (0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1.0)  # short side 0.25x .. 1x, in eighths


def _round32(n: float) -> int:
    return max(32, round(n / 32) * 32)


def sample_transform(g: torch.Generator, p_identity: float = 0.2) -> Transform:
    """A random draw as trainers apply them (see the module docstring)."""

    def u(a: float = 0.0, b: float = 1.0) -> float:
        return a + (b - a) * float(torch.rand(1, generator=g))

    if u() < p_identity:
        return IDENTITY
    crop = tuple(u(0, 0.05) for _ in range(4)) if u() < 0.5 else (0.0, 0.0, 0.0, 0.0)
    return Transform(
        scale=SCALES[int(u() * len(SCALES)) % len(SCALES)],
        mode=("bicubic", "area", "bilinear")[int(u() * 3) % 3],
        crop=crop,  # up to 10% per axis
        flip=u() < 0.5,
        quality=int(u(70, 96)) if u() < 0.6 else None,
        noise=u(0, 2 / 255) if u() < 0.3 else 0.0,
        seed=int(u() * 2**31),
    )
