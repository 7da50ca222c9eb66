"""Repost detection accuracy: recall per transform and false-positive rate.

    .venv/bin/python bench/repost.py [--quick] [--distractors N]

Indexed: the sample art plus N generated distinct artworks. Positives: each indexed work under
each transform, which must find that work. Negatives: as many other generated artworks (not
indexed), unmodified and transformed, which must find nothing. A positive that also finds a
different work counts as a false positive too.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFont

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from artgen import artwork  # noqa: E402

from kiln.provenance.matching import RepostMatcher  # noqa: E402


def _crop(im, frac, rng):
    w, h = im.size
    cw, ch = int(w * frac), int(h * frac)
    left, top = int(rng.integers(0, cw + 1)), int(rng.integers(0, ch + 1))
    return im.crop((left, top, w - (cw - left), h - (ch - top)))


def _pad(im, frac, rng):
    w, h = im.size
    pw, ph = int(w * frac), int(h * frac)
    color = [(255, 255, 255), (0, 0, 0), tuple(int(c) for c in rng.integers(0, 256, 3))][
        int(rng.integers(0, 3))
    ]
    out = Image.new("RGB", (w + pw, h + ph), color)
    out.paste(im, (int(rng.integers(0, pw + 1)), int(rng.integers(0, ph + 1))))
    return out


def _jpeg(im, q):
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=q)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def _watermark(im, rng):
    im = im.copy().convert("RGBA")
    w, h = im.size
    layer = Image.new("RGBA", im.size, (0, 0, 0, 0))
    font = ImageFont.load_default(size=max(14, h // 10))
    draw = ImageDraw.Draw(layer)
    x, y = int(w * rng.uniform(0.05, 0.4)), int(h * rng.uniform(0.3, 0.8))
    draw.text((x, y), "@repost_hub", font=font, fill=(255, 255, 255, 150))
    draw.text((x + 2, y + 2), "@repost_hub", font=font, fill=(0, 0, 0, 90))
    return Image.alpha_composite(im, layer).convert("RGB")


TRANSFORMS = {
    "resize_0.5": lambda im, rng: im.resize(
        (im.width // 2, im.height // 2), Image.Resampling.LANCZOS
    ),
    "jpeg_q70": lambda im, rng: _jpeg(im, 70),
    "mirror": lambda im, rng: im.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
    "crop_5%": lambda im, rng: _crop(im, 0.05, rng),
    "crop_10%": lambda im, rng: _crop(im, 0.10, rng),
    "pad_10%": lambda im, rng: _pad(im, 0.10, rng),
    "brightness_+15%": lambda im, rng: ImageEnhance.Brightness(im).enhance(1.15),
    "brightness_-15%": lambda im, rng: ImageEnhance.Brightness(im).enhance(0.85),
    "text_watermark": _watermark,
}
# Not in the target list, reported for information: the classic repost trick of both.
EXTRA = {
    "mirror+crop_5%": lambda im, rng: _crop(
        im.transpose(Image.Transpose.FLIP_LEFT_RIGHT), 0.05, rng
    ),
}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="200 distractors, under a minute")
    ap.add_argument("--distractors", type=int, default=None)
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    args = ap.parse_args()
    n = args.distractors or (200 if args.quick else 1000)
    import faiss

    faiss.omp_set_num_threads(1)  # tiny queries: thread start-up costs more than it saves
    rng = np.random.default_rng(7)
    t0 = time.perf_counter()

    originals: dict[int, Image.Image] = {}
    art_dir = Path(args.shared) / "samples" / "art"
    for i, path in enumerate(sorted(art_dir.glob("*.jpg")), start=1):
        im = Image.open(path).convert("RGB")
        im.thumbnail((1024, 1024))
        originals[i] = im
    n_art = len(originals)
    for k in range(n):
        originals[1000 + k] = artwork(10_000 + k)
    negatives = [artwork(50_000 + k) for k in range(n)]
    t_gen = time.perf_counter() - t0

    matcher = RepostMatcher()
    t = time.perf_counter()
    for owner, im in originals.items():
        matcher.add(owner, np.asarray(im))
    t_index = time.perf_counter() - t

    every = {**TRANSFORMS, **EXTRA}
    per = {name: [0, 0] for name in every}
    by_method = {name: {"pdq": 0, "keypoints": 0} for name in every}
    fp_queries = 0
    neg_queries = 0
    wrong = 0
    pos_queries = 0
    fp_methods: list[str] = []
    t = time.perf_counter()
    query_times = []
    # --quick: every transform of the sample art and of 26 of the indexed distractors; the
    # full run transforms every indexed work.
    probe = list(originals.items())
    if args.quick:
        probe = probe[: n_art + 26]
    for owner, im in probe:
        for name, fn in every.items():
            q = np.asarray(fn(im, rng))
            s = time.perf_counter()
            res = matcher.match(q)
            query_times.append(time.perf_counter() - s)
            pos_queries += 1
            per[name][1] += 1
            if owner in res:
                per[name][0] += 1
                by_method[name][res[owner].method] += 1
            if set(res) - {owner}:
                wrong += 1
                fp_methods.extend(m.method for o, m in res.items() if o != owner)
    names = list(TRANSFORMS)
    for k, im in enumerate(negatives):
        # Full run: each negative as is and under every transform. Quick: one query each,
        # alternately as is and under one transform.
        todo = ["identity", *names] if not args.quick else [("identity", *names)[k % 10]]
        for name in todo:
            fn = TRANSFORMS.get(name, lambda im, rng: im)
            q = np.asarray(fn(im, rng))
            s = time.perf_counter()
            res = matcher.match(q)
            query_times.append(time.perf_counter() - s)
            neg_queries += 1
            if res:
                fp_queries += 1
                fp_methods.extend(m.method for m in res.values())
    t_query = time.perf_counter() - t

    print(f"indexed works: {len(originals)} ({n_art} sample art + {n} generated distractors)")
    print(f"{'transform':<18} {'recall':>8}  {'n':>5}  via pdq / keypoints")
    total_hit = total = 0
    for name, (hit, cnt) in per.items():
        if name in TRANSFORMS:
            total_hit += hit
            total += cnt
        m = by_method[name]
        print(f"{name:<18} {100 * hit / cnt:7.2f}%  {cnt:5d}  {m['pdq']} / {m['keypoints']}")
    print(f"{'all targeted':<18} {100 * total_hit / total:7.2f}%  {total:5d}  (excludes extras)")
    fp_all = fp_queries + wrong
    rate = 100 * fp_all / (neg_queries + pos_queries)
    print(
        f"false positives: {fp_queries}/{neg_queries} unindexed queries, {wrong}/{pos_queries} "
        f"positives that also hit another work -> FP rate {rate:.3f}% of queries"
    )
    print(
        f"false-positive matches by method: pdq {fp_methods.count('pdq')}, keypoints "
        f"{fp_methods.count('keypoints')}"
    )
    qt = np.array(query_times) * 1000
    per_work = 1000 * t_index / len(originals)
    print(f"time: generate {t_gen:.1f}s, index {t_index:.1f}s ({per_work:.1f} ms/work)")
    print(
        f"queries {t_query:.1f}s (p50 {np.percentile(qt, 50):.1f} ms, "
        f"p99 {np.percentile(qt, 99):.1f} ms per upload)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
