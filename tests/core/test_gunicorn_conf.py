"""kiln/gunicorn_conf.py: gunicorn's workers freeze the loaded application's objects, so that
the collector's full passes skip them, with and without --preload, and again once warm."""

import gc
import itertools
import subprocess
import sys
import time
import urllib.request
import weakref

import pytest

from kiln import gunicorn_conf
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


class Node:
    pass


def test_a_worker_freezes_again_once_after_its_warm_up_requests(monkeypatch):
    monkeypatch.setattr(gunicorn_conf, "REFREEZE_AFTER_REQUESTS", 3)
    monkeypatch.setattr(gunicorn_conf, "_requests_served", itertools.count(1))
    gc.unfreeze()
    gc.disable()  # only the hook may collect here
    try:
        for _ in range(2):
            gunicorn_conf.post_request(None, None, None, None)
        assert gc.get_freeze_count() == 0
        garbage = Node()
        garbage.cycle = garbage
        garbage_alive = weakref.ref(garbage)
        del garbage
        gunicorn_conf.post_request(None, None, None, None)
        frozen = gc.get_freeze_count()
        assert frozen > 1000
        assert garbage_alive() is None, "unreachable cycles are collected first, not frozen"
        # Objects made after the freeze stay young unless the hook freezes again. The count is
        # compared with <=, since another thread may free a frozen object meanwhile.
        made_after_the_freeze = [Node() for _ in range(5000)]
        gunicorn_conf.post_request(None, None, None, None)
        assert gc.get_freeze_count() <= frozen, "froze a second time"
        assert len(made_after_the_freeze) == 5000
    finally:
        gc.enable()
        gc.unfreeze()
