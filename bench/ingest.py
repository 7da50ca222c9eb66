"""Ingest benchmark: a generated 24 MP JPEG into every rendition, against vipsthumbnail.

    .venv/bin/python bench/ingest.py            # 24 MP, 5 runs, Pillow comparison
    .venv/bin/python bench/ingest.py --quick    # 1 MP, 5 runs, under a minute

Prints medians over the runs of:
- the Kiln pipeline (kiln.media.imaging.render: decode once, EXIF orientation, sRGB, widths
  320/640/1280/2048 as AVIF + WebP + JPEG, rights XMP/EXIF, blurhash), wall time measured
  inside a fresh child process (imports excluded) and the child's peak RSS;
- the floor: Debian's `vipsthumbnail` making the same widths in the same formats at the same
  quality settings (one process per output, as the CLI works), summed wall time and max RSS;
- the same pipeline written with Pillow, for the pyvips-or-Pillow decision;
- bytes per format for the 2048 px rendition at equal visual quality: the AVIF and WebP
  quality that first matches the JPEG's SSIM (luma, Gaussian window σ=1.5), with DSSIM.
"""

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiln.settings_test")
WORK = Path(os.environ.get("KILN_BENCH_DIR", "/tmp/kiln-bench"))
TARGETS = {"ratio": 1.5, "rss_mb": 300, "avif_share": 0.60}


def _django():
    import django

    django.setup()


# --- test image ---------------------------------------------------------------------------


def make_source(width: int, height: int, grain: float = 2.0) -> Path:
    """Procedural art, a brush-like texture and per-pixel grain, saved as a Q92 JPEG (cached).

    Like digital painting rather than a high-ISO photo; `--grain 6` makes it photo-noisy.
    """
    path = WORK / f"source_{width}x{height}_g{grain:g}.jpg"
    if path.exists():
        return path
    WORK.mkdir(parents=True, exist_ok=True)
    import pyvips

    from kiln.core.procedural import artwork_bytes

    base = pyvips.Image.new_from_buffer(artwork_bytes(7, width // 4, height // 4, "PNG"), "")
    base = base.resize(4, kernel="cubic")[:3]
    texture = pyvips.Image.perlin(width, height, cell_size=48) * 18
    noise = pyvips.Image.gaussnoise(width, height, sigma=grain, mean=0) if grain else 0
    image = (base + texture + noise).cast("uchar").crop(0, 0, width, height)
    image.jpegsave(str(path), Q=92)
    return path


# --- children: one pipeline run each, so peak RSS is that run's alone ----------------------


def child(kind: str, source: str) -> None:
    _django()
    data = Path(source).read_bytes()
    start = time.perf_counter()
    if kind == "pyvips":
        from kiln.media.imaging import render
        from kiln.media.rights import Rights

        rights = Rights("Bench Artist", "https://kiln.example/@bench", "https://kiln.example", 2026)
        rendered = render(source=data, fmt="jpeg", rights=rights)
        sizes = {f"{r.format}{r.width}": len(r.data) for r in rendered.renditions}
    else:
        sizes = pillow_pipeline(data)
    print(json.dumps({"seconds": time.perf_counter() - start, "sizes": sizes}))


def pillow_pipeline(data: bytes) -> dict:
    """The same work with Pillow: draft (DCT-scaled) decode, LANCZOS, the same encoders."""
    from django.conf import settings
    from PIL import Image, ImageOps

    widths = sorted(settings.KILN_MEDIA_WIDTHS)
    image = Image.open(io.BytesIO(data))
    image.draft("RGB", (widths[-1], widths[-1]))
    image = ImageOps.exif_transpose(image).convert("RGB")
    master = image.resize(
        (widths[-1], round(image.height * widths[-1] / image.width)), Image.Resampling.LANCZOS
    )
    sizes = {}
    for width in reversed(widths):
        scaled = master.resize(
            (width, round(master.height * width / master.width)), Image.Resampling.LANCZOS
        )
        for fmt, options in (
            ("AVIF", {"quality": settings.KILN_MEDIA_QUALITY_AVIF, "speed": 8}),
            ("WEBP", {"quality": settings.KILN_MEDIA_QUALITY_WEBP, "method": 4}),
            (
                "JPEG",
                {
                    "quality": settings.KILN_MEDIA_QUALITY_JPEG,
                    "optimize": True,
                    "progressive": True,
                },
            ),
        ):
            out = io.BytesIO()
            scaled.save(out, fmt, **options)
            sizes[f"{fmt.lower()}{width}"] = out.tell()
    return sizes


def run_measured(argv: list[str]) -> tuple[float, float, str]:
    """(wall seconds, peak RSS in MB, stdout) of one child process."""
    start = time.perf_counter()
    # os.environ is Python's snapshot from start-up: libvips, once loaded here, changes the
    # C-level environment (module paths), which would break Debian's vipsthumbnail.
    process = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=dict(os.environ)
    )
    output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise RuntimeError(f"{argv[0]} failed ({status}): {output[-300:]}")
    return wall, usage.ru_maxrss / 1024, output


def _child_run(kind: str, source: Path) -> tuple[float, float]:
    _, peak, output = run_measured([sys.executable, __file__, "--child", kind, str(source)])
    return json.loads(output)["seconds"], peak


def _floor_run(source: Path) -> tuple[float, float]:
    """vipsthumbnail making every width in every format: one process per output."""
    from django.conf import settings

    binary = shutil.which("vipsthumbnail")
    if binary is None:
        sys.exit("vipsthumbnail is missing: apt-get install libvips-tools")
    out = WORK / "floor"
    out.mkdir(parents=True, exist_ok=True)
    savers = {
        "avif": f"[Q={settings.KILN_MEDIA_QUALITY_AVIF},compression=av1,effort=1,strip]",
        "webp": f"[Q={settings.KILN_MEDIA_QUALITY_WEBP},effort=4,strip]",
        "jpg": f"[Q={settings.KILN_MEDIA_QUALITY_JPEG},optimize_coding,interlace,strip]",
    }
    total, peak = 0.0, 0.0
    for width in settings.KILN_MEDIA_WIDTHS:
        for ext, options in savers.items():
            wall, rss, _ = run_measured(
                [binary, str(source), "--size", f"{width}x",
                 "-o", f"{out}/%s_{width}.{ext}{options}"]
            )  # fmt: skip
            total += wall
            peak = max(peak, rss)
    return total, peak


def bench_interleaved(source: Path, runs: int, kinds: list[str]) -> dict:
    """Medians per contender. Runs alternate between contenders, so a busy machine slows
    them all alike instead of whichever happened to run during the busy minute."""
    samples: dict[str, list[tuple[float, float]]] = {kind: [] for kind in kinds}
    for _ in range(runs):
        for kind in kinds:
            sample = _floor_run(source) if kind == "floor" else _child_run(kind, source)
            samples[kind].append(sample)
    return {
        kind: {
            "seconds": statistics.median(s for s, _ in values),
            "rss_mb": statistics.median(r for _, r in values),
        }
        for kind, values in samples.items()
    }


# --- quality ----------------------------------------------------------------------------------


def ssim(reference, candidate) -> float:
    """Mean SSIM on luma with a Gaussian window (σ = 1.5), computed with libvips."""

    def luma(image):
        return image.colourspace("b-w")[0].cast("float")

    x, y = luma(reference), luma(candidate)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2

    def blur(image):
        return image.gaussblur(1.5, precision="float")

    mu_x, mu_y = blur(x), blur(y)
    var_x = blur(x * x) - mu_x * mu_x
    var_y = blur(y * y) - mu_y * mu_y
    cov = blur(x * y) - mu_x * mu_y
    top = (mu_x * mu_y * 2 + c1) * (cov * 2 + c2)
    bottom = (mu_x * mu_x + mu_y * mu_y + c1) * (var_x + var_y + c2)
    return (top / bottom).avg()


def equal_quality(source: Path, quick: bool) -> dict:
    import pyvips
    from django.conf import settings

    largest = max(settings.KILN_MEDIA_WIDTHS)
    master = pyvips.Image.thumbnail(str(source), largest, size="down").copy_memory()

    def encode(fmt: str, quality: int) -> bytes:
        if fmt == "jpeg":
            return master.jpegsave_buffer(Q=quality, optimize_coding=True, interlace=True)
        if fmt == "webp":
            return master.webpsave_buffer(Q=quality, effort=4)
        return master.heifsave_buffer(compression="av1", Q=quality, effort=1)

    def score(data: bytes) -> float:
        return ssim(master, pyvips.Image.new_from_buffer(data, ""))

    jpeg = encode("jpeg", settings.KILN_MEDIA_QUALITY_JPEG)
    target = score(jpeg)
    result = {"jpeg": {"q": settings.KILN_MEDIA_QUALITY_JPEG, "bytes": len(jpeg), "ssim": target}}
    result["width"] = master.width
    for fmt, lowest in (("avif", 50), ("webp", 70)):
        best = None
        for quality in () if quick else range(lowest, 101):
            data = encode(fmt, quality)
            value = score(data)
            if value >= target:
                best = {"q": quality, "bytes": len(data), "ssim": value}
                break
        configured = encode(fmt, getattr(settings, f"KILN_MEDIA_QUALITY_{fmt.upper()}"))
        result[fmt] = best or {"q": None, "bytes": None, "ssim": None}
        result[fmt]["configured_bytes"] = len(configured)
        result[fmt]["configured_ssim"] = score(configured)
    return result


# --- main -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="1 MP source, no quality search: under a minute"
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-pillow", action="store_true")
    parser.add_argument("--grain", type=float, default=2.0, help="per-pixel noise sigma")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "SOURCE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    _django()
    width, height = (1200, 900) if args.quick else (6000, 4000)
    source = make_source(width, height, args.grain)
    megapixels, megabytes = width * height / 1e6, source.stat().st_size / 1e6
    print(f"source: {width}x{height} JPEG ({megapixels:.1f} MP, grain {args.grain:g}, "
          f"{megabytes:.1f} MB), runs: {args.runs}, cpus: {os.cpu_count()}")  # fmt: skip
    kinds = ["pyvips", "floor"] + ([] if args.no_pillow or args.quick else ["pillow"])
    results = bench_interleaved(source, args.runs, kinds)
    kiln, floor = results["pyvips"], results["floor"]
    ratio = kiln["seconds"] / floor["seconds"]
    print(f"kiln pipeline (pyvips): {kiln['seconds']:.2f} s, peak RSS {kiln['rss_mb']:.0f} MB")
    print(f"floor (vipsthumbnail x12): {floor['seconds']:.2f} s, peak RSS {floor['rss_mb']:.0f} MB")
    print(f"ratio pipeline/floor: {ratio:.2f} (target <= {TARGETS['ratio']})  "
          f"{'PASS' if ratio <= TARGETS['ratio'] else 'MISS'}")  # fmt: skip
    print(f"peak RSS: {kiln['rss_mb']:.0f} MB (target <= {TARGETS['rss_mb']})  "
          f"{'PASS' if kiln['rss_mb'] <= TARGETS['rss_mb'] else 'MISS'}")  # fmt: skip
    if "pillow" in results:
        pillow = results["pillow"]
        print(f"same pipeline in Pillow: {pillow['seconds']:.2f} s, "
              f"peak RSS {pillow['rss_mb']:.0f} MB")  # fmt: skip
    quality = equal_quality(source, args.quick)
    jpeg = quality["jpeg"]
    print(f"{quality['width']} px rendition, equal quality "
          f"(JPEG Q={jpeg['q']}: {jpeg['bytes']:,} B, "
          f"SSIM {jpeg['ssim']:.4f}, DSSIM {1 / jpeg['ssim'] - 1:.5f}):")  # fmt: skip
    for fmt in ("avif", "webp"):
        row = quality[fmt]
        if row["bytes"] is None:
            share = row["configured_bytes"] / jpeg["bytes"]
            print(f"  {fmt}: configured Q: {row['configured_bytes']:,} B = {share:.0%} of JPEG, "
                  f"SSIM {row['configured_ssim']:.4f}"
                  f"{' (no equal-SSIM search in --quick)' if args.quick else ''}")  # fmt: skip
            continue
        share = row["bytes"] / jpeg["bytes"]
        verdict = ""
        if fmt == "avif":
            verdict = f"(target <= {TARGETS['avif_share']:.0%})  "
            verdict += "PASS" if share <= TARGETS["avif_share"] else "MISS"
        print(f"  {fmt}: Q={row['q']} {row['bytes']:,} B = {share:.0%} of JPEG, "
              f"SSIM {row['ssim']:.4f} {verdict}")  # fmt: skip
        print(f"        configured Q: {row['configured_bytes']:,} B, "
              f"SSIM {row['configured_ssim']:.4f}")  # fmt: skip


if __name__ == "__main__":
    main()
