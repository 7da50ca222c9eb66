"""Repost detection accuracy: recall per transform and false-positive rate.

    .venv/bin/python bench/repost.py [--quick] [--distractors N]

Indexed: the sample art plus N generated distinct artworks. Positives: each indexed work under
each transform, which must find that work. Negatives: as many other generated artworks (not
indexed), unmodified and transformed, which must find nothing. A positive that also finds a
different work counts as a false positive too.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from artgen import artwork  # noqa: E402
from repost_transforms import EXTRA, TRANSFORMS  # noqa: E402

from kiln.provenance.matching import RepostMatcher  # noqa: E402

TARGET_RECALL = 95.0  # percent, for each transform on its own
TARGET_PAIRS = 5000  # non-matching (query, indexed work) pairs, with 0 false positives


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="200 distractors, 60 probed works")
    ap.add_argument("--distractors", type=int, default=None)
    ap.add_argument("--probes", type=int, default=None, help="generated works to transform")
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
    fp_queries = neg_queries = wrong = pos_queries = 0
    fp_methods: list[str] = []
    t = time.perf_counter()
    query_times = []
    # Every transform of the sample paintings and of `probes` generated works (all of them
    # in a full run).
    probes = args.probes if args.probes is not None else (60 if args.quick else n)
    probe = list(originals.items())[: n_art + probes]
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
    names = ["identity", *TRANSFORMS]
    for k, im in enumerate(negatives):
        # Full run: each negative as is and under every transform. Quick: one query each,
        # cycling through the transforms.
        todo = names if not args.quick else [names[k % len(names)]]
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

    print(f"indexed works: {len(originals)} ({n_art} sample paintings + {n} generated)")
    print(f"{'transform':<18} {'recall':>8}  {'n':>5}  {'target':>7}  ok?   via pdq / keypoints")
    failed = []
    for name, (hit, cnt) in per.items():
        m = by_method[name]
        recall = 100 * hit / cnt
        if name in TRANSFORMS:
            ok = "yes" if recall >= TARGET_RECALL else "NO"
            target = f">={TARGET_RECALL:.0f}%"
            if ok == "NO":
                failed.append(name)
        else:
            ok, target = "", "(info)"
        via = f"{m['pdq']} / {m['keypoints']}"
        print(f"{name:<18} {recall:7.2f}%  {cnt:5d}  {target:>7}  {ok:<4}  {via}")
    pairs = neg_queries * len(originals) + pos_queries * (len(originals) - 1)
    fp_all = fp_queries + wrong
    print(
        f"non-matching pairs: {pairs} ({neg_queries} unindexed queries x {len(originals)} works "
        f"+ {pos_queries} positives x {len(originals) - 1} other works; target >= {TARGET_PAIRS})"
    )
    print(
        f"false positives: {fp_all} (target 0): {fp_queries}/{neg_queries} unindexed queries "
        f"matched something, {wrong}/{pos_queries} positives also matched another work; "
        f"by method: pdq {fp_methods.count('pdq')}, keypoints {fp_methods.count('keypoints')}"
    )
    verdict = "MET" if not failed and fp_all == 0 and pairs >= TARGET_PAIRS else "NOT MET"
    print(
        f"targets: {verdict}" + (f" (recall below target: {', '.join(failed)})" if failed else "")
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
