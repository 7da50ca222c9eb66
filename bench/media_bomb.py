"""Peak memory of the PNG text bomb (issue 25) through the upload check and the render.

    .venv/bin/python bench/media_bomb.py            # 40 zTXt chunks × 4 MB each
    .venv/bin/python bench/media_bomb.py --quick    # 40 × 1 MB
    .venv/bin/python bench/media_bomb.py --chunks 40 --mb 40   # the reported file (~14 GB before)

Each case runs in a fresh child process and prints its peak RSS (ru_maxrss):
- before: the pipeline as it was, i.e. with Kiln's text cap and text stripping switched off
  (the same code, so the two differ only by the protection);
- after: the upload check as it is now (it refuses the file);
- after, cap off: the text cap switched off but the stripping kept, to show that the render
  alone no longer keeps the text either;
- baseline: a valid 16×16 PNG through the same steps, the floor of a child that loads pyvips.
The child runs under an address-space limit (--limit-mb) so a regression cannot take the box.
"""

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiln.settings_test")


def child(mode: str, chunks: int, mb: int, limit_mb: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limit_mb << 20, limit_mb << 20))
    import django

    django.setup()
    from django.core.exceptions import ValidationError

    from kiln.media import imaging, pngtext, validation
    from kiln.media.rights import Rights
    from tests.security.corpus import bomb_png, valid_files

    data = valid_files()["png"] if mode == "baseline" else bomb_png(chunks, mb)
    if mode in ("before", "after-cap-off"):
        validation.check_png_text = lambda data: None
    if mode == "before":
        pngtext.without_text = lambda data: data
    start = time.perf_counter()
    outcome = "rendered"
    try:
        validation.probe_image(data)
        rights = Rights(creator="x", profile_url="x", work_url="x", year=2026)
        imaging.render(source=data, fmt="png", rights=rights)
    except ValidationError as exc:
        outcome = "refused: " + exc.messages[0][:60]
    except MemoryError:
        outcome = "MemoryError (hit --limit-mb)"
    except Exception as exc:  # a decoder's out-of-memory error surfaces as pyvips.Error
        outcome = f"{type(exc).__name__}: {str(exc).splitlines()[0][:60]}"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"{peak}\t{time.perf_counter() - start:.2f}\t{len(data)}\t{outcome}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--chunks", type=int, default=40)
    parser.add_argument("--mb", type=int, default=None, help="inflated MB per chunk")
    parser.add_argument("--limit-mb", type=int, default=8192)
    parser.add_argument("--child", default="")
    args = parser.parse_args()
    mb = args.mb or (1 if args.quick else 4)
    if args.child:
        child(args.child, args.chunks, mb, args.limit_mb)
        return
    print(f"PNG with {args.chunks} zTXt chunks, each inflating to {mb} MB")
    print(f"{'case':<16}{'peak RSS MB':>12}{'seconds':>9}{'file bytes':>12}  outcome")
    for mode in ("baseline", "before", "after", "after-cap-off"):
        command = [sys.executable, __file__, "--child", mode, "--chunks", str(args.chunks)]
        command += ["--mb", str(mb), "--limit-mb", str(args.limit_mb)]
        result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
        line = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
        if result.returncode or not line:
            print(f"{mode:<16} child exited {result.returncode}: {result.stderr[-200:]}")
            continue
        peak, seconds, size, outcome = line.split("\t")
        print(f"{mode:<16}{peak:>12}{seconds:>9}{size:>12}  {outcome}")


if __name__ == "__main__":
    main()
