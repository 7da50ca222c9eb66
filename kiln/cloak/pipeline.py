"""One entry point shared by the CLI and the site: image in, cloaked image + report out."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

from .attack import (
    CancelFn,
    CloakConfig,
    ProgressFn,
    cloak_array,
    pick_threads,
    uses_bf16,
)
from .encoders import load_models
from .metrics import ai_preview, measure

MASTER_SIZE = 2048  # the cloak works on the 2048 px master the renditions come from


@dataclass
class CloakOutput:
    image: Image.Image  # the cloaked master, RGB 8-bit
    original: Image.Image  # the master before cloaking (same size)
    report: dict
    preview_clean: Image.Image | None = None
    preview_cloaked: Image.Image | None = None


def master_from(img: Image.Image, max_size: int = MASTER_SIZE) -> Image.Image:
    """EXIF-rotated RGB image, downscaled (never upscaled) to ``max_size`` on the long side."""
    img = ImageOps.exif_transpose(img)
    if img.mode != "RGB":
        img = img.convert("RGB")
    if max_size and max(img.size) > max_size:
        s = max_size / max(img.size)
        img = img.resize(
            (max(1, round(img.width * s)), max(1, round(img.height * s))), Image.Resampling.LANCZOS
        )
    return img


def cloak_image(
    img: Image.Image,
    *,
    intensity: str = "default",
    max_size: int = MASTER_SIZE,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    previews: bool = True,
    config: CloakConfig | None = None,
) -> CloakOutput:
    """Cloak a PIL image; raises CloakUnavailable, CloakCancelled or ValueError."""
    cfg = config or CloakConfig.for_intensity(intensity)
    pick_threads()
    models = load_models(decoder=previews)
    master = master_from(img, max_size)
    original = np.array(master)
    # The attack's share of the job's time: the measures run in float32 either way, the
    # attack in bf16 where the kernels exist (measured: 118 s against 121 s at the 2048 px
    # master with bf16; the attack takes 2.8x longer without). The rest is the measures.
    share = 0.5 if uses_bf16(cfg, models.device) else 0.7

    def part(start: float, width: float) -> ProgressFn | None:
        return None if progress is None else (lambda f: progress(start + width * f))

    result = cloak_array(original, cfg, models, progress=part(0.0, share), cancel=cancel)
    t0 = time.perf_counter()
    tail = 1 - share
    report = measure(
        models, original, result.cloaked, progress=part(share, 0.9 * tail), cancel=cancel
    )
    report.update(
        intensity=intensity,
        budget=cfg.eps,
        seconds=round(result.seconds, 2),
        seconds_per_mp=round(result.seconds / (original.shape[0] * original.shape[1] / 1e6), 2),
        measure_seconds=round(time.perf_counter() - t0, 2),
        mode=cfg.mode,
        steps=cfg.steps,
        encoders=list(cfg.encoders),
    )
    out = CloakOutput(image=Image.fromarray(result.cloaked), original=master, report=report)
    if previews:
        out.preview_clean, out.preview_cloaked = ai_preview(models, original, result.cloaked)
    if progress is not None:
        progress(1.0)
    return out
