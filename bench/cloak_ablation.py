"""Ablation: each robustness idea against the attack as it was, same images, same run (CPU).

    KILN_CLOAK_THREADS=1 python bench/cloak_ablation.py [--size 512] [--images 4]

The images are the sample paintings at --size px long side; the trainer's pipeline is
measured at half that size (kiln.cloak.purify.trainer at size/2), the analogue of the
512 px pipeline on the 1024 px master. Every variant runs at the default intensity with the
same seed; the table gives mean shifts over the images, the minimum PSNR and SSIM, and the
seconds per megapixel, wall and CPU seconds over the threads (wall means little on a shared
machine; CPU time under contention is inflated too, so compare within one run).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cloak import SAMPLES, load  # noqa: E402
from kiln.cloak import purify  # noqa: E402
from kiln.cloak.attack import CloakConfig, cloak_array, pick_threads  # noqa: E402
from kiln.cloak.encoders import load_models  # noqa: E402
from kiln.cloak.metrics import _shift, psnr, ssim  # noqa: E402

# The first pass of issue 26 (EOT, fresh draws, coarse-to-fine) and the second (half the
# steps as uploaded); the pool variants (third and fourth passes) are measured at 1024 px.
SECOND = dict(pool=0, coarse_steps=8, steps=16, lr=0.3, p_identity=0.5, full_draws=(None,))
FIRST = dict(SECOND, p_identity=0.2, lowpass=1, lowpass_detail=0.0, stop_scale=None)
POOL = dict(coarse_steps=0, pool_max_scale=0.75, trainer_sizes=(512,))
THIRD = dict(steps=11, p_identity=1 / 11, full_draws=(85,))  # the third pass's default
VARIANTS = {
    "no EOT (plain steps)": dict(FIRST, eot=False),
    "EOT (first pass)": FIRST,
    "EOT + low-res x2": dict(FIRST, lowpass=2, lowpass_detail=0.25),
    "EOT + low-res x4": dict(FIRST, lowpass=4, lowpass_detail=0.25),
    "EOT + low-res x4 + stop on downscales": dict(
        FIRST, lowpass=4, lowpass_detail=0.25, stop_scale=0.625
    ),
    "EOT, half the steps as uploaded (second pass)": SECOND,
    "A pool 8, 12 downscaled steps, none full": dict(POOL, pool=8, steps=12, p_identity=0.0),
    "B pool 8, 12 downscaled + 2 full (as uploaded, JPEG 85)": dict(
        POOL, pool=8, steps=14, p_identity=0.15, full_draws=(None, 85), lr=0.3
    ),
    "C pool 8, 10 downscaled + 2 full JPEG 85": dict(
        POOL, pool=8, steps=12, p_identity=1 / 6, full_draws=(85,), lr=0.3
    ),
    "E = C, step 0.6": dict(POOL, pool=8, steps=12, p_identity=1 / 6, full_draws=(85,), lr=0.6),
    "F pool 6 <= 0.625, 10 downscaled + 1 full JPEG 85, step 0.6": THIRD,
    "G = F with 2 full JPEG 85 steps": dict(THIRD, steps=12, p_identity=1 / 6),
    # Fourth pass: with bf16 kernels a step costs 0.4 of a float32 one; the time goes to
    # more steps, a third of them at full resolution.
    "H = F, 22 steps, 4 full JPEG 85": dict(THIRD, steps=22, p_identity=4 / 22),
    "I = F, 30 steps, 10 full JPEG 85": dict(THIRD, steps=30, p_identity=1 / 3),
    "J = I, step 0.4": dict(THIRD, steps=30, p_identity=1 / 3, lr=0.4),
    "K 36 steps, 12 full: 8 JPEG 85, 4 as uploaded (default)": {},
    "L = K, pool 8": dict(pool=8),
    "M = K, 33 steps": dict(steps=33),
    "N = K, 33 steps, full draws alternate JPEG 85 and as uploaded": dict(
        steps=33, full_draws=(85, None)
    ),
}


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--size", type=int, default=512)
    p.add_argument("--images", type=int, default=4)
    p.add_argument("--only", help="comma-separated variant numbers (1-based)")
    p.add_argument("--names", help="comma-separated painting names (file stems) instead")
    p.add_argument("--per-image", action="store_true", help="a row per image, not the mean")
    a = p.parse_args()
    os.environ.setdefault("KILN_MODELS_DIR", str(SAMPLES.parent.parent / "models"))
    pick_threads()
    models = load_models(decoder=False)
    paths = sorted(SAMPLES.glob("*.jpg"))
    paths = [SAMPLES / "the_scream.jpg"] + [q for q in paths if q.name != "the_scream.jpg"]
    paths = paths[: a.images]
    if a.names:
        paths = [SAMPLES / f"{n}.jpg" for n in a.names.split(",")]
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
    head = ["variant", *ops, "min psnr", "min ssim", "s/MP", "cpu s/MP"]
    print("| " + " | ".join(head) + " |\n|" + "---|" * len(head), flush=True)
    threads = torch.get_num_threads()
    for title, over in chosen:
        cfg = dataclasses.replace(CloakConfig.for_intensity("default"), **over)
        groups = [[n] for n in imgs] if a.per_image else [list(imgs)]
        for names in groups:
            cols = {k: [] for k in ops}
            ps, ss, secs, cpu, mp = [], [], 0.0, 0.0, 0.0
            for name in names:
                arr = imgs[name]
                t0, c0 = time.perf_counter(), time.process_time()
                out = cloak_array(arr, cfg, models).cloaked
                secs += time.perf_counter() - t0
                cpu += time.process_time() - c0
                mp += arr.shape[0] * arr.shape[1] / 1e6
                for k, op in ops.items():
                    cols[k].append(_shift(models, "taef2_encoder", op(arr), op(out)))
                print(f"  {title}: {secs:.0f} s so far", file=sys.stderr, flush=True)
                ps.append(psnr(arr, out))
                ss.append(ssim(arr, out))
            label = f"{title} ({names[0]})" if a.per_image else title
            row = [label, *(f"{np.mean(v):.3f}" for v in cols.values())]
            row += [f"{min(ps):.2f}", f"{min(ss):.3f}", f"{secs / mp:.1f}"]
            row.append(f"{cpu / threads / mp:.1f}")
            print("| " + " | ".join(row) + " |", flush=True)
    print(f"load at end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
