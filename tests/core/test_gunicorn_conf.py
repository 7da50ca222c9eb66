"""kiln/gunicorn_conf.py: gunicorn's workers freeze the loaded application's objects, so that
the collector's full passes skip them, with and without --preload."""

import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import REPO_ROOT
from tests.core.test_devserver import free_port


def frozen_objects_in_a_worker(*options: str) -> int:
    """Starts gunicorn with one worker and these options; the worker's gc.get_freeze_count()."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "tests.core.gc_probe_wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--no-control-socket",
        *options,
    ]
    server = subprocess.Popen(command, cwd=REPO_ROOT, stderr=subprocess.DEVNULL)
    try:
        frozen = None
        deadline = time.monotonic() + 30
        while frozen is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    frozen = int(response.read())
            except OSError:
                time.sleep(0.1)
        assert frozen is not None, "gunicorn did not answer"
        return frozen
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.parametrize("preload", [[], ["--preload"]], ids=["per-worker", "preload"])
def test_kilns_config_freezes_the_loaded_application_in_each_worker(preload):
    # gunicorn, the probe's module and the standard library: thousands of objects.
    assert frozen_objects_in_a_worker("--config", "python:kiln.gunicorn_conf", *preload) > 1000


def test_without_it_nothing_is_frozen():
    assert frozen_objects_in_a_worker() == 0
