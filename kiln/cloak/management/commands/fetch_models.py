"""Download the cloak's encoder weights from the upstream TAESD project, verified by SHA-256.

    python manage.py fetch_models [--dest DIR] [--base-url URL] [--if-missing]

Files land in KILN_MODELS_DIR/taesd. A file whose SHA-256 differs from the pinned value is
refused (and not kept). Offline, it says so and exits non-zero; nothing else changes.
With --if-missing (what `make run` uses) it does nothing when every file is there, and
offline it prints one line and exits 0, so the site starts with the cloak switched off.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kiln.cloak.weights import WEIGHT_SHA256

UPSTREAM = "https://github.com/madebyollin/taesd/raw/main/"
MAX_BYTES = 64 * 1024 * 1024


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch(url: str, timeout: float = 30) -> bytes:
    if not url.startswith(("https://", "http://", "file://")):
        raise CommandError(f"refusing to fetch {url!r}")
    with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 - scheme checked
        data = resp.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise CommandError(f"{url} is larger than {MAX_BYTES} bytes; refusing it")
    return data


class Command(BaseCommand):
    help = "Download and verify the cloak's model weights (TAESD)."

    def add_arguments(self, parser):
        parser.add_argument("--dest", type=Path, help="default: KILN_MODELS_DIR/taesd")
        parser.add_argument("--base-url", default=UPSTREAM)
        parser.add_argument("--timeout", type=float, default=30)
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="skip when present; offline, print one line and exit 0 (for make run)",
        )

    def handle(self, *args, dest=None, base_url=UPSTREAM, timeout=30, if_missing=False, **opts):
        root = os.environ.get("KILN_MODELS_DIR") or getattr(settings, "KILN_MODELS_DIR", None)
        dest = dest or (Path(root) / "taesd" if root else None)
        if dest is None:
            raise CommandError("Set KILN_MODELS_DIR or pass --dest.")
        if if_missing and all((dest / name).is_file() for name in WEIGHT_SHA256):
            return
        dest.mkdir(parents=True, exist_ok=True)
        failures = []
        for name, expected in WEIGHT_SHA256.items():
            target = dest / name
            if target.is_file() and sha256_of(target) == expected:
                self.stdout.write(f"{name}: present, SHA-256 verified")
                continue
            try:
                data = fetch(base_url.rstrip("/") + "/" + name, timeout=timeout)
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                if if_missing:
                    self.stderr.write(
                        f"Cloak models not downloaded ({exc}); the site runs with the cloak "
                        "off until `python manage.py fetch_models` succeeds."
                    )
                    return
                raise CommandError(
                    f"Could not download {name} ({exc}). The machine looks offline: copy the "
                    f"files into {dest} by hand, then run this again to verify them."
                ) from exc
            got = hashlib.sha256(data).hexdigest()
            if got != expected:
                failures.append(f"{name}: SHA-256 {got} does not match {expected}; refused")
                continue
            # Write then rename, so a half-written file never looks like a model.
            with tempfile.NamedTemporaryFile(dir=dest, delete=False) as tmp:
                tmp.write(data)
            Path(tmp.name).replace(target)
            self.stdout.write(f"{name}: downloaded, SHA-256 verified")
        if failures:
            raise CommandError("\n".join(failures))
        self.stdout.write(self.style.SUCCESS(f"Cloak models ready in {dest}"))
