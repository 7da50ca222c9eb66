"""Provenance performance: screening a 12 MP upload, registry lookups against 1M hashes.

.venv/bin/python bench/provenance.py [--quick] [--hashes N]
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def twelve_mp_uploads() -> dict[str, bytes]:
    from PIL import Image

    rng = np.random.default_rng(1)
    h, w = 3000, 4000
    small = rng.integers(0, 256, (h // 40, w // 40, 3), dtype=np.uint8)
    im = Image.fromarray(small).resize((w, h), Image.Resampling.BICUBIC)
    noise = rng.normal(0, 8, (h, w, 3))
    im = Image.fromarray(np.clip(np.asarray(im) + noise, 0, 255).astype(np.uint8))
    ex = Image.Exif()
    ex[0x0131] = "Adobe Photoshop 25.0 (Windows)"
    ex[0x010F] = "Canon"
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
        b'22-rdf-syntax-ns#"><rdf:Description xmp:CreatorTool="Adobe Photoshop"/></rdf:RDF>'
        b"</x:xmpmeta>"
    )
    out = {}
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90, exif=ex.tobytes(), xmp=xmp)
    out["jpeg q90 (human)"] = buf.getvalue()
    buf = io.BytesIO()
    im.convert("RGBA").save(buf, "PNG", compress_level=1)
    out["png rgba (human)"] = buf.getvalue()
    return out


def bench_screening(repeat: int) -> None:
    from kiln.provenance.screening import screen_bytes

    for name, data in twelve_mp_uploads().items():
        screen_bytes(data)  # warm imports and caches
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            res = screen_bytes(data)
            times.append(time.perf_counter() - t)
        parts = ", ".join(f"{k} {v:.0f}" for k, v in res.timings_ms.items() if v >= 1)
        print(
            f"screening 12 MP {name} ({len(data) / 1e6:.1f} MB): median "
            f"{1000 * float(np.median(times)):.0f} ms, max {1000 * max(times):.0f} ms "
            f"[{parts} ms]; findings {len(res.findings)}"
        )


def bench_lookup(n: int, queries: int) -> None:
    from kiln.provenance.hashing import HashIndex

    rng = np.random.default_rng(2)
    before = rss_mb()
    t = time.perf_counter()
    codes = rng.integers(0, 256, (n, 32), dtype=np.uint8)
    index = HashIndex(radius=31)
    index.add_many(np.arange(1, n + 1, dtype=np.int64) // 10, codes)
    build = time.perf_counter() - t
    after = rss_mb()
    # Half the queries are near-duplicates of indexed hashes (0-31 bits flipped), half unrelated.
    qs = []
    for k in range(queries):
        if k % 2:
            q = rng.integers(0, 256, 32, dtype=np.uint8)
        else:
            q = codes[rng.integers(0, n)].copy()
            bits = np.unpackbits(q)
            flip = rng.choice(256, int(rng.integers(0, 32)), replace=False)
            bits[flip] ^= 1
            q = np.packbits(bits)
        qs.append(q.tobytes())
    times, cpu = [], []
    hits = 0
    for q in qs:
        t, c = time.perf_counter(), time.thread_time()
        res = index.search([q])
        cpu.append(time.thread_time() - c)
        times.append(time.perf_counter() - t)
        hits += bool(res)
    ms, cpu_ms = np.array(times) * 1000, np.array(cpu) * 1000
    print(
        f"lookup against {n:,} indexed hashes: wall p50 {np.percentile(ms, 50):.3f} ms, "
        f"p99 {np.percentile(ms, 99):.3f} ms; CPU p50 {np.percentile(cpu_ms, 50):.3f} ms, "
        f"p99 {np.percentile(cpu_ms, 99):.3f} ms over {queries} lookups "
        f"({hits} matched; {queries // 2} were planted near-duplicates)"
    )
    load = os.getloadavg()[0]
    print(f"machine load average while measuring: {load:.1f} on {os.cpu_count()} CPUs")
    batch = [qs[i : i + 8] for i in range(0, min(len(qs), 800), 8)]
    t = time.perf_counter()
    for b in batch:
        index.search(b)
    print(f"8-hash (dihedral) lookup: {1000 * (time.perf_counter() - t) / len(batch):.3f} ms each")
    print(
        f"index memory: {index.memory_bytes() / 2**20:.0f} MiB serialized, "
        f"process RSS +{after - before:.0f} MiB; build {build:.1f} s"
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--hashes", type=int, default=1_000_000)
    args = ap.parse_args()
    bench_screening(repeat=3 if args.quick else 10)
    bench_lookup(args.hashes, queries=2000 if args.quick else 20000)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
