"""`make run`'s process: gunicorn, both workers and the sweepers start, serve, and stop together
on Ctrl-C."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import REPO_ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def run_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(KILN_VAR_DIR=str(tmp_path / "var"), DJANGO_SETTINGS_MODULE="kiln.settings")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=REPO_ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    return env


def test_devserver_serves_and_stops_cleanly_on_ctrl_c(run_env, tmp_path):
    # An abandoned upload's original (no asset row, two hours old): the orphan sweeper that
    # `make run` starts must delete it on its first pass.
    orphan = tmp_path / "var" / "media" / "private" / "originals" / "0123abcd.png"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"not referenced by any asset")
    old = time.time() - 7200
    os.utime(orphan, (old, old))
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kiln.devserver", "--port", str(port)],
        cwd=REPO_ROOT,
        env=run_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        body = None
        while time.monotonic() < deadline and body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = r.read()
            except OSError:
                time.sleep(0.3)
        assert body == b"ok"
        workers = subprocess.run(
            ["pgrep", "-f", "-s", str(process.pid), "db_worker"], capture_output=True, text=True
        ).stdout.split()
        assert len(workers) == 2  # the default/low worker and the cloak worker
        for sweeper in ("cloak_sweep --every 60", "media_sweep --orphans --every 3600"):
            found = subprocess.run(
                ["pgrep", "-f", "-s", str(process.pid), sweeper], capture_output=True, text=True
            ).stdout.split()
            assert len(found) == 1, sweeper
        while time.monotonic() < deadline and orphan.exists():
            time.sleep(0.3)
        assert not orphan.exists()
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 0, output
    assert "kiln: stopped." in output
    leftover = subprocess.run(["pgrep", "-s", str(process.pid)], capture_output=True, text=True)
    assert leftover.stdout.strip() == ""
