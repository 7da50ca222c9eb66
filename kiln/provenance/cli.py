"""Command line for staff and dataset builders. Runs without Django settings."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

IMAGE_EXTS = {".png", ".jpg", ".jpeg", ".webp", ".avif", ".heic", ".heif", ".tif", ".tiff", ".gif"}


def _scan(args) -> int:
    from kiln.provenance.screening import screen_file

    status = 0
    for name in args.files:
        try:
            res = screen_file(name)
        except OSError as exc:
            print(json.dumps({"file": name, "error": str(exc)}), flush=True)
            status = 2
            continue
        line = {"file": name, **res.as_dict()}
        if args.verbose:
            line["errors"] = res.errors
            line["timings_ms"] = {k: round(v, 1) for k, v in res.timings_ms.items()}
        print(json.dumps(line, ensure_ascii=False), flush=True)
    return status


def _iter_images(target: str):
    p = Path(target)
    if p.is_dir():
        yield from sorted(f for f in p.rglob("*") if f.suffix.lower() in IMAGE_EXTS)
    else:
        yield p


def _check(args) -> int:
    from kiln.provenance.registry_client import lookup_files

    files = list(_iter_images(args.target))
    if not files:
        print(f"no images found under {args.target}", file=sys.stderr)
        return 2
    rows = lookup_files(files, server=args.server, timeout=args.timeout)
    width = max(len(str(r["file"])) for r in rows)
    print(f"{'file':<{width}}  {'reserved':<8}  {'dist':>4}  {'artist':<20}  url")
    for r in rows:
        dist = "" if r.get("distance") is None else str(r["distance"])
        reserved = "ERROR" if r.get("error") else ("yes" if r.get("match") else "no")
        extra = r.get("error") or r.get("url") or ""
        artist = r.get("artist") or ""
        print(f"{r['file']!s:<{width}}  {reserved:<8}  {dist:>4}  {artist:<20}  {extra}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiln.provenance")
    sub = parser.add_subparsers(dest="cmd", required=True)
    scan = sub.add_parser("scan", help="screen files for AI-generation signals (JSON lines)")
    scan.add_argument("files", nargs="+")
    scan.add_argument("-v", "--verbose", action="store_true", help="add errors and timings")
    check = sub.add_parser("check", help="look images up in a Kiln do-not-train registry")
    check.add_argument("target", help="an image file or a folder of images")
    check.add_argument("--server", required=True, help="base URL of a Kiln server")
    check.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args(argv)
    return _scan(args) if args.cmd == "scan" else _check(args)
