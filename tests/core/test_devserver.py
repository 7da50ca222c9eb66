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


def _pids(session: int, pattern: str) -> list[int]:
    found = subprocess.run(["pgrep", "-f", "-s", str(session), pattern], capture_output=True)
    return [int(pid) for pid in found.stdout.split()]


def _healthz(port: int, timeout: float) -> bytes | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                return r.read()
        except OSError:
            time.sleep(0.3)
    return None


def test_a_child_that_keeps_dying_stops_everything_after_backing_off():
    code = (
        "import sys, kiln.devserver as d\n"
        "d.FIRST_BACKOFF = 0.05\n"
        "sys.exit(d.supervise({'flaky': [sys.executable, '-c', 'raise SystemExit(3)'],"
        " 'steady': [sys.executable, '-c', 'import time; time.sleep(60)']}, poll=0.02))\n"
    )
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert result.stderr.count("flaky exited with 3; restarting it in") == 4
    assert "flaky exited with 3 5 times" in result.stderr
    assert "restarting it in 0.4 s" in result.stderr  # 0.05, 0.1, 0.2, 0.4: doubling
    assert time.monotonic() - started < 30  # the steady child was stopped, not waited out


def test_devserver_serves_and_stops_cleanly_on_ctrl_c(run_env, tmp_path):
    # An abandoned upload's original (no asset row, two hours old): the orphan sweeper that
    # `make run` starts must delete it on its first pass.
    orphan = tmp_path / "var" / "media" / "private" / "originals" / "0123abcd.png"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"not referenced by any asset")
    old = time.time() - 7200
    os.utime(orphan, (old, old))
    port, streaming_port = free_port(), free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kiln.devserver",
            "--port",
            str(port),
            "--streaming-port",
            str(streaming_port),
        ],
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
        # The streaming API's own process (uvicorn) answers beside it.
        health = f"http://127.0.0.1:{streaming_port}/api/v1/streaming/health"
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(health, timeout=2) as r:
                    assert r.read() == b"OK"
                break
            except OSError:
                time.sleep(0.3)
        else:
            raise AssertionError("the streaming process did not answer")
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
        # kill -9 of each child: it comes back (a new pid) and the site answers again.
        for pattern in (
            "gunicorn",
            "queue-name default",
            "queue-name cloak",
            "cloak_sweep",
            "media_sweep --orphans",
        ):
            old_pid = _pids(process.pid, pattern)[0]
            os.kill(old_pid, signal.SIGKILL)
            restart_deadline = time.monotonic() + 30
            while time.monotonic() < restart_deadline:
                pids = _pids(process.pid, pattern)
                if pids and old_pid not in pids:
                    break
                time.sleep(0.2)
            else:
                pytest.fail(f"{pattern} was not restarted after kill -9")
        assert _healthz(port, timeout=60) == b"ok"
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 0, output
    assert "kiln: stopped." in output
    assert "restarting it in 1 s" in output and "stopping everything" not in output
    leftover = subprocess.run(["pgrep", "-s", str(process.pid)], capture_output=True, text=True)
    assert leftover.stdout.strip() == ""
