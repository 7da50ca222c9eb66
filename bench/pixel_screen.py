"""Can a training-free pixel signal find stripped AI images? (issue 17, part 1)

    KILN_MODELS_DIR=../shared/models python bench/pixel_screen.py [--quick] [--json out.json]

AEROBLADE (Ricker, Lukovnikov, Fischer, CVPR 2024): an image decoded by a latent-diffusion
autoencoder lies close to that decoder's output, so its reconstruction error through the
autoencoder is small. Only taef2 has a decoder here, so "the smallest across autoencoders"
has one member; taesana's encoder is used as a second feature space for the distance.

Tiles are cut at native resolution (no resize). Per image the score is minus the mean
tile distance (higher = more AI-like). For each distance the script prints the true-positive
rate at 0 %, 0.5 % and 1 % false positives over ALL human negatives (originals and their
JPEG q70 re-saves), per positive group and per re-save, then seconds per megapixel.
The decision rule (issue 17): ship as a review gate only if, at 0 false flags, at least half
of the stripped positives (JPEG q90 and PNG re-saves) are caught.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"
os.environ.setdefault("KILN_MODELS_DIR", str(SHARED / "models"))

from kiln.cloak.encoders import load_models  # noqa: E402

DISTANCES = ("l1", "l2", "1-ssim", "taef2-latent", "sana-latent")


# ---------------------------------------------------------------- image sets
def _rgb(im: Image.Image) -> np.ndarray:
    if getattr(im, "n_frames", 1) > 1:
        im.seek(0)
    return np.asarray(im.convert("RGB"))


def _resave(arr: np.ndarray, fmt: str, q: int = 90) -> np.ndarray:
    buf = io.BytesIO()  # a fresh PIL image carries no metadata: this is the "stripped" file
    Image.fromarray(arr).save(buf, fmt, **({"quality": q} if fmt == "JPEG" else {}))
    return _rgb(Image.open(io.BytesIO(buf.getvalue())))


def _synthetic_human(rng: np.random.Generator, art: list[np.ndarray]) -> dict[str, np.ndarray]:
    """32 made-here human-style images: pixel art, flat vector, scans, photos of paintings."""
    out = {}
    for i in range(8):  # pixel art: a 32x32 palette sprite scaled x8 with nearest neighbour
        pal = rng.integers(0, 256, (6, 3), dtype=np.uint8)
        sprite = pal[rng.integers(0, 6, (32, 32))]
        sprite = np.repeat(np.repeat(sprite, 8, 0), 8, 1)
        out[f"pixelart-{i}"] = sprite
    for i in range(8):  # flat vector-style: filled shapes, no gradients
        im = Image.new("RGB", (384, 384), tuple(int(v) for v in rng.integers(0, 256, 3)))
        d = ImageDraw.Draw(im)
        for _ in range(12):
            x0, y0 = rng.integers(0, 300, 2)
            x1, y1 = x0 + rng.integers(20, 200), y0 + rng.integers(20, 200)
            fill = tuple(int(v) for v in rng.integers(0, 256, 3))
            [d.ellipse, d.rectangle][int(rng.integers(0, 2))]((x0, y0, x1, y1), fill=fill)
        out[f"vector-{i}"] = np.asarray(im)
    for i in range(8):  # scans: paper grain, ink strokes, slight blur, sensor noise
        paper = 235 + rng.normal(0, 4, (384, 384, 1)) + np.array([[[6, 3, -4]]])
        im = Image.fromarray(np.clip(paper, 0, 255).astype(np.uint8))
        d = ImageDraw.Draw(im)
        for _ in range(40):
            pts = [tuple(int(v) for v in rng.integers(0, 384, 2)) for _ in range(4)]
            d.line(pts, fill=(30, 30, 40), width=int(rng.integers(1, 4)))
        a = np.asarray(im.filter(ImageFilter.GaussianBlur(0.8))).astype(float)
        out[f"scan-{i}"] = np.clip(a + rng.normal(0, 3, a.shape), 0, 255).astype(np.uint8)
    for i in range(8):  # photos of paintings: a crop, lighting fall-off, noise, camera JPEG
        src = art[i % len(art)]
        y, x = rng.integers(0, src.shape[0] - 320), rng.integers(0, src.shape[1] - 320)
        a = src[y : y + 320, x : x + 320].astype(float)
        yy, xx = np.mgrid[0:320, 0:320] / 320.0
        a *= (0.8 + 0.25 * (1 - (xx - 0.3) ** 2 - (yy - 0.4) ** 2))[..., None]
        a = np.clip(a + rng.normal(0, 5, a.shape), 0, 255).astype(np.uint8)
        out[f"photo-of-painting-{i}"] = _resave(a, "JPEG", 88)
    return out


def image_sets(quick: bool, models) -> tuple[dict, dict]:
    """{group: {name: array}} for positives and negatives."""
    ai = {p.name: _rgb(Image.open(p)) for p in sorted((SHARED / "samples" / "ai").iterdir())}
    dev = {p.name: _rgb(Image.open(p)) for p in sorted((SHARED / "samples" / "ai-dev").iterdir())}
    art = {p.name: _rgb(Image.open(p)) for p in sorted((SHARED / "samples" / "art").iterdir())}
    if quick:
        ai, dev = dict(list(ai.items())[:4]), dict(list(dev.items())[:6])
    pos = {}
    for label, group in (("ai", ai), ("ai-dev", dev)):
        pos[f"{label} original"] = group
        pos[f"{label} stripped jpeg90"] = {k: _resave(v, "JPEG", 90) for k, v in group.items()}
        pos[f"{label} stripped png"] = {k: _resave(v, "PNG") for k, v in group.items()}
    # Paintings through the taef2 VAE: the same autoencoder as the detector, so optimistic.
    pos["vae (taef2) paintings"] = {k: vae_roundtrip(models, crop(v, 512)) for k, v in art.items()}

    import skimage.data as sk

    photos = {}
    for n in ("astronaut", "camera", "chelsea", "clock", "coffee", "coins", "hubble_deep_field",
              "immunohistochemistry", "moon", "retina", "rocket", "brick", "grass", "gravel",
              "page", "text", "horse"):  # fmt: skip
        a = getattr(sk, n)()
        a = (a * 255).astype(np.uint8) if a.dtype == bool else a
        photos[n] = np.stack([a] * 3, -1) if a.ndim == 2 else a[..., :3]
    made = _synthetic_human(np.random.default_rng(17), list(art.values()))
    if quick:
        photos, made = dict(list(photos.items())[:6]), dict(list(made.items())[::4])
    neg = {"art paintings": art, "skimage photos": photos, "made-here human styles": made}
    for g in list(neg):
        neg[f"{g} jpeg70"] = {k: _resave(v, "JPEG", 70) for k, v in neg[g].items()}
    return pos, neg


def crop(a: np.ndarray, side: int) -> np.ndarray:
    h, w = a.shape[:2]
    y, x = max(0, (h - side) // 2), max(0, (w - side) // 2)
    a = a[y : y + side, x : x + side]
    return a[: a.shape[0] // 32 * 32, : a.shape[1] // 32 * 32]


@torch.no_grad()
def vae_roundtrip(models, a: np.ndarray) -> np.ndarray:
    x = torch.from_numpy(a).permute(2, 0, 1)[None].float() / 255
    y = models.decoder(models.encoders["taef2_encoder"](x)).clamp(0, 1)
    return (y[0].permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)


# ---------------------------------------------------------------- the signal
def tiles(a: np.ndarray, size: int, n: int) -> list[np.ndarray]:
    """Up to n native-resolution tiles on an even grid (small images give one cropped tile)."""
    h, w = a.shape[:2]
    if h < size or w < size:
        return [crop(a, min(h, w))]
    ys = np.linspace(0, h - size, max(1, int(np.sqrt(n)))).astype(int)
    xs = np.linspace(0, w - size, max(1, int(np.ceil(n / len(ys))))).astype(int)
    return [a[y : y + size, x : x + size] for y in ys for x in xs][:n]


@torch.no_grad()
def distances(models, a: np.ndarray, size: int, n: int) -> tuple[dict[str, float], float, float]:
    from skimage.metrics import structural_similarity

    enc, sana, dec = (
        models.encoders["taef2_encoder"],
        models.encoders["taesana_encoder"],
        models.decoder,
    )
    per = {d: [] for d in DISTANCES}
    t0, mp = time.process_time(), 0.0
    for t in tiles(a, size, n):
        x = torch.from_numpy(np.ascontiguousarray(t)).permute(2, 0, 1)[None].float() / 255
        z = enc(x)
        r = dec(z).clamp(0, 1)
        diff = (x - r)[0]
        per["l1"].append(diff.abs().mean().item())
        per["l2"].append(diff.pow(2).mean().item())
        rn = (r[0].permute(1, 2, 0).numpy() * 255).astype(np.float32)
        s = structural_similarity(t.astype(np.float32), rn, channel_axis=2, data_range=255)
        per["1-ssim"].append(1 - s)
        per["taef2-latent"].append(((enc(r) - z).pow(2).mean() / z.pow(2).mean()).item())
        zs = sana(x)
        per["sana-latent"].append(((sana(r) - zs).pow(2).mean() / zs.pow(2).mean()).item())
        mp += t.shape[0] * t.shape[1] / 1e6
    # CPU seconds, not wall: the machine is shared, and 2 threads on 2 free cores give
    # wall ~= CPU / 2; the s/MP figure below assumes exactly that.
    return {d: float(np.mean(v)) for d, v in per.items()}, (time.process_time() - t0) / 2, mp


def tpr_at(pos: np.ndarray, neg: np.ndarray, fpr: float) -> tuple[float, float]:
    """TPR with a threshold that lets at most floor(fpr * len(neg)) negatives through."""
    k = int(np.floor(fpr * len(neg)))
    thr = np.sort(neg)[::-1][k]  # flag only scores strictly above this
    return float((pos > thr).mean()), float(thr)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="few images, small tiles")
    ap.add_argument("--tile", type=int, default=256)
    ap.add_argument("--tiles", type=int, default=4)
    ap.add_argument("--json")
    args = ap.parse_args()
    torch.set_num_threads(2)
    size, n = (128, 2) if args.quick else (args.tile, args.tiles)
    models = load_models("cpu")
    pos, neg = image_sets(args.quick, models)
    scores: dict[str, dict[str, list[float]]] = {}
    secs = mps = 0.0
    for g, items in {**pos, **neg}.items():
        scores[g] = {d: [] for d in DISTANCES}
        for a in items.values():
            dist, s, mp = distances(models, a, size, n)
            secs, mps = secs + s, mps + mp
            for d in DISTANCES:
                scores[g][d].append(-dist[d])
    allneg = {d: np.array([v for g in neg for v in scores[g][d]]) for d in DISTANCES}
    stripped = [g for g in pos if "stripped" in g]
    print(f"tiles {n} x {size}px native; {sum(map(len, pos.values()))} positives, "
          f"{len(allneg['l1'])} human negatives (incl. q70 re-saves)")  # fmt: skip
    report: dict = {"s_per_mp": secs / mps, "distances": {}}
    for d in DISTANCES:
        print(f"\n== distance: {d}   (TPR at FPR 0% / 0.5% / 1% over all human negatives)")
        rows = {}
        for g in [*pos, "ALL STRIPPED"]:
            p = (
                np.array([v for s in stripped for v in scores[s][d]])
                if g == "ALL STRIPPED"
                else np.array(scores[g][d])
            )
            rows[g] = [tpr_at(p, allneg[d], f)[0] for f in (0.0, 0.005, 0.01)]
            print(f"  {g:32s} " + "  ".join(f"{100 * r:5.1f}%" for r in rows[g]))
        thr = tpr_at(allneg[d], allneg[d], 0.0)[1]
        setter = next(
            f"{g}: {k}" for g in neg for k, v in zip(neg[g], scores[g][d], strict=True) if v == thr
        )
        print(f"  0%-threshold set by the human negative {setter}")
        for g in (
            neg
        ):  # each negative group's own false-flag rate at the 0 % threshold (0 by construction)
            print(
                f"  neg {g:28s} flagged {100 * float((np.array(scores[g][d]) > thr).mean()):5.1f}%"
            )
        report["distances"][d] = {"tpr": rows, "threshold_0fp": thr}
    best = max(DISTANCES, key=lambda d: report["distances"][d]["tpr"]["ALL STRIPPED"][0])
    caught = report["distances"][best]["tpr"]["ALL STRIPPED"][0]
    report.update(best=best, stripped_caught_at_0fp=caught, ship=caught >= 0.5)
    print(f"\nseconds per megapixel (CPU s / 2 threads, all five distances): {secs / mps:.2f} "
          f"-> 12 MP, {n} tiles: {secs / mps * n * size * size / 1e6:.2f} s; "
          f"every tile: {secs / mps * 12:.1f} s")  # fmt: skip
    print(
        f"best distance at 0 false flags: {best}, catches {100 * caught:.1f}% of stripped positives"
    )
    print(
        "DECISION:",
        "ship as a staff-review gate" if caught >= 0.5 else "do NOT ship as a gate (< 50%)",
    )
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
