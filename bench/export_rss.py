"""Export memory benchmark: peak RSS while exporting an account with 2 GB of originals.

    .venv/bin/python bench/export_rss.py            # 2 GB of originals (41 × 50 MB)
    .venv/bin/python bench/export_rss.py --quick    # 200 MB

The originals are random bytes (incompressible, like real image files). A scratch SQLite
database and media root live under KILN_BENCH_DIR (default /tmp/kiln-bench-export). Each
measurement runs in a fresh child process and reports that child's peak RSS
(getrusage ru_maxrss): the baseline child loads Django and the account and stops; the export
child builds the ZIP and streams it to the private store. Target: at most 300 MB.
"""

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = Path(os.environ.get("KILN_BENCH_DIR", "/tmp/kiln-bench-export"))
TARGET_MB = 300
FILE_MB = 50


def _env() -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="kiln.settings",
        KILN_VAR_DIR=str(WORK / "var"),
        KILN_MEDIA_ROOT=str(WORK / "var" / "media"),
        KILN_TASK_BACKEND="django_tasks.backends.dummy.DummyBackend",
        PYTHONPATH=str(ROOT),
    )
    env.pop("DATABASE_URL", None)  # a scratch SQLite database, whatever the shell says
    return env


def _setup(total_mb: int) -> None:
    shutil.rmtree(WORK, ignore_errors=True)
    (WORK / "var").mkdir(parents=True)
    py = sys.executable
    subprocess.run([py, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=_env(), check=True)
    code = f"""
import hashlib, os, secrets
from django.core.files.storage import storages
from kiln.accounts.models import User
from kiln.media.models import MediaAsset
user = User.objects.create_user(username="bench", email="b@example.com", password="x")
private = storages["private"]
left = {total_mb} * 1024 * 1024
while left > 0:
    size = min(left, {FILE_MB} * 1024 * 1024)
    key = f"originals/{{secrets.token_hex(16)}}.png"
    path = private.path(key)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    digest = hashlib.sha256()
    with open(path, "wb") as fh:
        for _ in range(size // (1024 * 1024)):
            block = os.urandom(1024 * 1024)
            digest.update(block)
            fh.write(block)
    MediaAsset.objects.create(owner=user, original_key=key, original_format="png",
        original_bytes=size, original_sha256=digest.hexdigest(), state="ready")
    left -= size
"""
    subprocess.run([py, "manage.py", "shell", "-c", code], cwd=ROOT, env=_env(), check=True)


CHILD = """
import resource, sys, time, django
django.setup()
from kiln.accounts.models import User
from kiln.transfer.models import DataExport
user = User.objects.get(username="bench")
started = time.perf_counter()
if sys.argv[1] == "export":
    from kiln.transfer.export import data_export_build
    export = DataExport.objects.create(owner=user)
    assert data_export_build(export_id=export.pk)
    export.refresh_from_db()
    size = export.bytes
else:
    size = 0
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, size, time.perf_counter() - started)
"""


def _child(mode: str) -> tuple[float, int, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode],
        cwd=ROOT,
        env=_env(),
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return int(out[-3]) / 1024, int(out[-2]), float(out[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    total_mb = 200 if args.quick else 2048
    t = time.perf_counter()
    _setup(total_mb)
    print(f"setup: {total_mb} MB of random originals in {time.perf_counter() - t:.1f} s")
    base_rss, _, _ = _child("baseline")
    rss, size, seconds = _child("export")
    print(f"baseline (Django + the account loaded): peak RSS {base_rss:.0f} MB")
    print(
        f"export of {total_mb} MB of originals: peak RSS {rss:.0f} MB "
        f"(+{rss - base_rss:.0f} MB over baseline), ZIP {size / 1024 / 1024:.0f} MB, "
        f"{seconds:.1f} s, {total_mb / seconds:.0f} MB/s"
    )
    verdict = "OK" if rss <= TARGET_MB else "OVER"
    print(f"target: at most {TARGET_MB} MB peak RSS: {verdict}")
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
