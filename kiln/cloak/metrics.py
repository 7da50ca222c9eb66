"""What the artist is shown: visibility, protection, robustness and the AI preview."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from .attack import CancelFn, CloakCancelled, ProgressFn, _pad_to, to_tensor, to_uint8
from .encoders import Models
from .purify import OPERATIONS, half, jpeg  # noqa: F401 - jpeg and half re-exported
from .summary import summary_line

PREVIEW_CROP = 1024  # the AI preview decodes at most this many pixels on each side


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else float(10 * np.log10(255.0**2 / mse))


def _gauss(size: int = 11, sigma: float = 1.5) -> torch.Tensor:
    c = torch.arange(size, dtype=torch.float64) - size // 2
    g = torch.exp(-(c**2) / (2 * sigma**2))
    g = g / g.sum()
    return (g[:, None] * g[None, :])[None, None]


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Mean SSIM (Wang et al. 2004, Gaussian 11x11, sigma 1.5) over the RGB channels."""
    x = torch.from_numpy(np.array(a)).permute(2, 0, 1)[:, None].double()
    y = torch.from_numpy(np.array(b)).permute(2, 0, 1)[:, None].double()
    w = _gauss()
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mx, my = F.conv2d(x, w), F.conv2d(y, w)
    sxx = F.conv2d(x * x, w) - mx * mx
    syy = F.conv2d(y * y, w) - my * my
    sxy = F.conv2d(x * y, w) - mx * my
    s = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
    return float(s.mean())


def linf(a: np.ndarray, b: np.ndarray) -> int:
    """Largest channel difference, in 1/255 units."""
    return int(np.abs(a.astype(np.int16) - b.astype(np.int16)).max())


@torch.no_grad()
def encode(models: Models, name: str, arr: np.ndarray) -> torch.Tensor:
    x, _, _ = _pad_to(to_tensor(arr).to(models.device), 32)
    return models.encoders[name](x).float()


def latent_shift(models: Models, original: np.ndarray, cloaked: np.ndarray) -> dict[str, float]:
    """‖E(x') − E(x)‖ / ‖E(x)‖ per encoder, in float32."""
    out = {}
    for name in models.encoders:
        z0, z1 = encode(models, name, original), encode(models, name, cloaked)
        out[name] = float((z1 - z0).norm() / z0.norm().clamp_min(1e-8))
    return out


# Measures where both encoders are reported; the purifications are measured on taef2 only
# (the report leads with it) to keep the worker's measuring time down at the 2048 px master.
BOTH_ENCODERS = ("uploaded", "trainer_1024", "trainer_512", "jpeg85")


def _shift(models: Models, name: str, a: np.ndarray, b: np.ndarray) -> float:
    z0, z1 = encode(models, name, a), encode(models, name, b)
    return float((z1 - z0).norm() / z0.norm().clamp_min(1e-8))


@torch.no_grad()
def roundtrip(models: Models, arr: np.ndarray) -> np.ndarray:
    """taef2 encode then decode (a purification), on the central PREVIEW_CROP detail."""
    h, w = arr.shape[:2]
    ch, cw = min(h, PREVIEW_CROP), min(w, PREVIEW_CROP)
    y0, x0 = (h - ch) // 2, (w - cw) // 2
    crop = arr[y0 : y0 + ch, x0 : x0 + cw]
    rec = models.decoder(encode(models, "taef2_encoder", crop)).clamp(0, 1)[:, :, :ch, :cw]
    return to_uint8(rec)


def measure(
    models: Models,
    original: np.ndarray,
    cloaked: np.ndarray,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> dict:
    """Everything the report shows, as plain JSON-able numbers.

    Each shift compares the cloaked image after an operation with the original after the
    same operation, so the operation's own change is not counted as protection. At the
    2048 px master this takes about as long as the attack, so it reports progress (which
    also renews a worker's lease) and honours cancel between measures.
    """
    names = [n for n in ("taef2_encoder", "taesana_encoder") if n in models.encoders]
    shifts, sana = {}, {}
    ops = {"uploaded": lambda a: a} | OPERATIONS
    with_roundtrip = models.decoder is not None and names[0] == "taef2_encoder"
    total = len(ops) + with_roundtrip
    for i, (key, op) in enumerate(ops.items()):
        if cancel is not None and cancel():
            raise CloakCancelled()
        a, b = op(original), op(cloaked)
        shifts[key] = round(_shift(models, names[0], a, b), 4)
        if key in BOTH_ENCODERS and len(names) > 1:
            sana[key] = round(_shift(models, names[1], a, b), 4)
        if progress is not None:
            progress((i + 1) / total)
    if with_roundtrip:
        a, b = roundtrip(models, original), roundtrip(models, cloaked)
        shifts["taef2_roundtrip"] = round(_shift(models, names[0], a, b), 4)
        if progress is not None:
            progress(1.0)
    report = {
        "psnr": round(psnr(original, cloaked), 3),
        "ssim": round(ssim(original, cloaked), 5),
        "linf": linf(original, cloaked),
        "shifts": shifts,
        "shifts_sana": sana,
        "summary": summary_line({"shifts": shifts}),
        # The first measures, under the names earlier reports used.
        "latent_shift": shifts["uploaded"],
        "latent_shift_by_encoder": {names[0]: shifts["uploaded"]}
        | ({names[1]: sana["uploaded"]} if sana else {}),
        "shift_after_jpeg85": shifts["jpeg85"],
        "shift_after_resize_half": shifts["half"],
        "width": int(original.shape[1]),
        "height": int(original.shape[0]),
    }
    return report


@torch.no_grad()
def ai_preview(
    models: Models, original: np.ndarray, cloaked: np.ndarray
) -> tuple[Image.Image, Image.Image]:
    """What a model would learn: taef2 decode of the clean latent and of the cloaked one."""
    if models.decoder is None:
        raise ValueError("the taef2 decoder is not loaded")
    # A full-resolution detail, not a downscale (which would hide the cloak), so that the
    # decoder's memory stays bounded at the 2048 px master.
    h, w = original.shape[:2]
    ch, cw = min(h, PREVIEW_CROP), min(w, PREVIEW_CROP)
    y0, x0 = (h - ch) // 2, (w - cw) // 2
    original = original[y0 : y0 + ch, x0 : x0 + cw]
    cloaked = cloaked[y0 : y0 + ch, x0 : x0 + cw]
    h, w = ch, cw
    imgs = []
    for arr in (original, cloaked):
        z = encode(models, "taef2_encoder", arr)
        rec = models.decoder(z).clamp(0, 1)[:, :, :h, :w]
        imgs.append(Image.fromarray(to_uint8(rec)))
    return imgs[0], imgs[1]
