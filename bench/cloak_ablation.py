"""Ablation: each robustness idea against the attack as it was, same images, same run (CPU).

    KILN_CLOAK_THREADS=1 python bench/cloak_ablation.py [--size 512] [--images 4]

The images are the sample paintings at --size px long side; the trainer's pipeline is
measured at half that size (kiln.cloak.purify.trainer at size/2), the analogue of the
512 px pipeline on the 1024 px master. Every variant runs at the default intensity with the
same seed; the table gives mean shifts over the images, the minimum PSNR and SSIM, and the
seconds per megapixel (wall, so only ratios within one run mean anything on a shared machine).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cloak import SAMPLES, load  # noqa: E402
from kiln.cloak import purify  # noqa: E402
from kiln.cloak.attack import CloakConfig, cloak_array, pick_threads  # noqa: E402
from kiln.cloak.encoders import load_models  # noqa: E402
from kiln.cloak.metrics import _shift, psnr, ssim  # noqa: E402

BEFORE = dict(lowpass=1, lowpass_detail=0.0, stop_scale=None, p_identity=0.2)  # on main
VARIANTS = {
    "no EOT (plain steps)": dict(BEFORE, eot=False),
    "EOT (main)": BEFORE,
    "EOT + low-res x2": dict(BEFORE, lowpass=2, lowpass_detail=0.25),
    "EOT + low-res x4": dict(BEFORE, lowpass=4, lowpass_detail=0.25),
    "EOT + low-res x4 + stop on downscales": dict(
        BEFORE, lowpass=4, lowpass_detail=0.25, stop_scale=0.625
    ),
    "default now": {},
    "EOT, half the steps as uploaded": dict(BEFORE, p_identity=0.5),
}


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--size", type=int, default=512)
    p.add_argument("--images", type=int, default=4)
    p.add_argument("--only", help="comma-separated variant numbers (1-based)")
    a = p.parse_args()
    os.environ.setdefault("KILN_MODELS_DIR", str(SAMPLES.parent.parent / "models"))
    pick_threads()
    models = load_models(decoder=False)
    paths = sorted(SAMPLES.glob("*.jpg"))
    paths = [SAMPLES / "the_scream.jpg"] + [q for q in paths if q.name != "the_scream.jpg"]
    paths = paths[: a.images]
    imgs = {q.stem: load(q, a.size) for q in paths}
    ops = {
        "up": lambda x: x,
        f"t{a.size // 2}": lambda x: purify.trainer(x, a.size // 2),
        "jpg85": lambda x: purify.jpeg(x, 85),
        "half": purify.half,
        "noisyup": purify.noisy_upscale,
    }
    chosen = list(VARIANTS.items())
    if a.only:
        chosen = [chosen[int(i) - 1] for i in a.only.split(",")]
    print(f"ablation at {a.size} px, {len(imgs)} images, load {os.getloadavg()[0]:.1f}")
    head = ["variant", *ops, "min psnr", "min ssim", "s/MP"]
    print("| " + " | ".join(head) + " |\n|" + "---|" * len(head), flush=True)
    for title, over in chosen:
        cfg = dataclasses.replace(CloakConfig.for_intensity("default"), **over)
        cols = {k: [] for k in ops}
        ps, ss, secs, mp = [], [], 0.0, 0.0
        for arr in imgs.values():
            t0 = time.perf_counter()
            out = cloak_array(arr, cfg, models).cloaked
            secs += time.perf_counter() - t0
            mp += arr.shape[0] * arr.shape[1] / 1e6
            for k, op in ops.items():
                cols[k].append(_shift(models, "taef2_encoder", op(arr), op(out)))
            print(f"  {title}: {secs:.0f} s so far", file=sys.stderr, flush=True)
            ps.append(psnr(arr, out))
            ss.append(ssim(arr, out))
        row = [title, *(f"{np.mean(v):.3f}" for v in cols.values())]
        row += [f"{min(ps):.2f}", f"{min(ss):.3f}", f"{secs / mp:.1f}"]
        print("| " + " | ".join(row) + " |", flush=True)
    print(f"load at end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
