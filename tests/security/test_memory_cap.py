"""Each web and worker process runs under a hard address-space cap (kiln/core/memory.py):
the issue-25 PNG bomb, decoded the unprotected way, ends its own worker at the cap, and the
server goes on serving."""

import contextlib
import os
import subprocess
import sys
import time
import urllib.request

from kiln.core.memory import memory_cap_bytes
from tests.conftest import REPO_ROOT
from tests.core.test_devserver import free_port

CAP_MB = 700


def _get(port: int, path: str, timeout=30) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as response:
        return response.read().decode()


def test_caps_leave_room_for_sqlite_maps_per_connection(monkeypatch):
    monkeypatch.setenv("KILN_MEMORY_CAP_MB", "1000")
    monkeypatch.setenv("KILN_SQLITE_MMAP_BYTES", str(100 << 20))
    assert memory_cap_bytes("web", connections=5) == (1000 + 500) << 20
    monkeypatch.setenv("KILN_MEMORY_CAP_MB", "0")
    assert memory_cap_bytes("worker") == 0  # switched off
    monkeypatch.setenv("KILN_MEMORY_CAP_CLOAK_MB", "9000")
    assert memory_cap_bytes("cloak") == 9000 << 20


def test_a_gunicorn_worker_that_decodes_a_bomb_stops_at_its_cap_and_is_replaced():
    port = free_port()
    env = {
        **os.environ,
        "KILN_MEMORY_CAP_MB": str(CAP_MB),
        "KILN_SQLITE_MMAP_BYTES": "0",
        "PYTHONPATH": str(REPO_ROOT),
    }
    command = [sys.executable, "-m", "gunicorn", "tests.security.memcap_probe_wsgi:application"]
    command += ["--config", "python:kiln.gunicorn_conf", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "1", "--no-control-socket", "--timeout", "60"]
    server = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stderr=subprocess.DEVNULL)
    try:
        first = None
        deadline = time.monotonic() + 30
        while first is None and time.monotonic() < deadline:
            try:
                first = _get(port, "/").split()
            except OSError:
                time.sleep(0.1)
        assert first is not None, "gunicorn did not answer"
        pid, cap, _ = first
        assert int(cap) == CAP_MB << 20  # Kiln's config capped its worker
        # Without the cap this process would pass 20 GB; with it, the worker dies mid-request
        # (the client sees a reset) or libvips reports the failed allocation.
        with contextlib.suppress(OSError):
            _get(port, "/bomb")
        after = None
        deadline = time.monotonic() + 30
        while after is None and time.monotonic() < deadline:
            try:
                after = _get(port, "/").split()
            except OSError:
                time.sleep(0.1)
        assert after is not None, "the server stopped serving"
        # Either the same worker survived with its peak under the cap, or a fresh one answers.
        assert after[0] != pid or int(after[2]) <= CAP_MB
    finally:
        server.terminate()
        server.wait(timeout=10)
