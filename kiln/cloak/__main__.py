"""Cloak a file on your own machine, offline.

    python -m kiln.cloak IN OUT [--intensity low|default|high] [--report report.json]

Weights are read from KILN_MODELS_DIR; Django settings are not needed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

from .attack import INTENSITY_EPS, CloakCancelled
from .encoders import CloakUnavailable
from .metrics import linf, psnr, ssim


class Bar:
    """A one-line progress bar with an ETA, on stderr."""

    def __init__(self, stream=sys.stderr, width: int = 30):
        self.stream, self.width, self.t0 = stream, width, time.monotonic()

    def __call__(self, frac: float) -> None:
        el = time.monotonic() - self.t0
        eta = el * (1 - frac) / frac if frac > 0 else 0
        n = int(self.width * frac)
        self.stream.write(
            f"\rcloaking [{'#' * n}{'.' * (self.width - n)}] {frac * 100:5.1f}%  ETA {eta:5.0f}s"
        )
        self.stream.flush()

    def done(self) -> None:
        self.stream.write("\n")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m kiln.cloak", description=__doc__.split("\n")[0])
    p.add_argument("input", type=Path)
    p.add_argument("output", type=Path, help="PNG keeps the budget exact; JPEG is saved at q95")
    p.add_argument("--intensity", choices=list(INTENSITY_EPS), default="default")
    p.add_argument("--report", type=Path, help="write the measures as JSON here")
    p.add_argument("--max-size", type=int, default=2048, help="long side cap; 0 keeps full size")
    p.add_argument("--preview", type=Path, help="save the AI preview (clean | cloaked) here")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    a = p.parse_args(argv)

    from .pipeline import cloak_image  # torch import is slow; parse args first

    try:
        with Image.open(a.input) as im:
            im.load()
            icc = im.info.get("icc_profile")
            src = im.copy()
    except (OSError, ValueError) as exc:
        print(f"error: cannot read {a.input}: {exc}", file=sys.stderr)
        return 2
    if a.output.resolve() == a.input.resolve():
        print("error: OUT must differ from IN; the original is never overwritten", file=sys.stderr)
        return 2
    bar = None if a.quiet else Bar()
    try:
        out = cloak_image(
            src, intensity=a.intensity, max_size=a.max_size, progress=bar, previews=bool(a.preview)
        )
    except CloakUnavailable as exc:
        print(f"\nerror: the cloak is unavailable: {exc.reason}", file=sys.stderr)
        return 3
    except (ValueError, CloakCancelled) as exc:
        print(f"\nerror: {exc}", file=sys.stderr)
        return 2
    if bar:
        bar.done()
    ext = a.output.suffix.lower()
    kw = {"icc_profile": icc} if icc else {}
    if ext in (".jpg", ".jpeg"):
        kw.update(quality=95, subsampling=0)
    try:
        out.image.save(a.output, **kw)
    except (OSError, ValueError, KeyError) as exc:
        print(f"error: cannot write {a.output}: {exc}", file=sys.stderr)
        return 2
    report = dict(out.report)
    # Measure the file as saved: a lossy format may break the exact budget.
    saved = np.asarray(Image.open(a.output).convert("RGB"))
    orig = np.asarray(out.original)
    report.update(
        psnr=round(psnr(orig, saved), 3), ssim=round(ssim(orig, saved), 5), linf=linf(orig, saved)
    )
    if report["linf"] > report["budget"]:
        print(
            f"warning: lossy {ext} output moved pixels by {report['linf']}/255, beyond the "
            f"{report['budget']}/255 budget; save as PNG to keep it exact",
            file=sys.stderr,
        )
    if a.preview and out.preview_clean is not None:
        w, h = out.preview_clean.size
        both = Image.new("RGB", (2 * w, h))
        both.paste(out.preview_clean, (0, 0))
        both.paste(out.preview_cloaked, (w, 0))
        both.save(a.preview)
    print(
        f"PSNR {report['psnr']:.2f} dB  SSIM {report['ssim']:.4f}  L-inf {report['linf']}/255  "
        f"latent shift {report['latent_shift']:.3f} (Sana "
        f"{report['latent_shift_by_encoder'].get('taesana_encoder', 0):.3f})  "
        f"after JPEG q85 {report['shift_after_jpeg85']:.3f}  "
        f"after 0.5x resize {report['shift_after_resize_half']:.3f}  "
        f"in {report['seconds']:.1f}s"
    )
    if a.report:
        a.report.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
