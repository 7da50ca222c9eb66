"""kiln/gunicorn_conf.py: gunicorn's workers freeze the loaded application's objects, so that
the collector's full passes skip them, with and without --preload, and again once warm."""

import gc
import importlib
import itertools
import os
import subprocess
import sys
import time
import urllib.request
import weakref

import pytest

from kiln import gunicorn_conf
from tests.conftest import REPO_ROOT
from tests.core.test_devserver import free_port


def served_by_one_worker(*options: str) -> tuple[int, str]:
    """Starts gunicorn with one worker and these options: the worker's gc.get_freeze_count(),
    and the worker class it says it runs."""
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
        answer = None
        deadline = time.monotonic() + 30
        while answer is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    answer = response.read().decode().split()
            except OSError:
                time.sleep(0.1)
        assert answer is not None, "gunicorn did not answer"
        return int(answer[0]), answer[1]
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.parametrize("preload", [[], ["--preload"]], ids=["per-worker", "preload"])
@pytest.mark.parametrize(
    "threads, worker_class",
    [([], "SyncWorker"), (["--threads", "2"], "ThreadWorker")],
    ids=["sync", "gthread"],
)
def test_kilns_config_freezes_the_loaded_application_in_each_worker(preload, threads, worker_class):
    frozen, served_by = served_by_one_worker(
        "--config", "python:kiln.gunicorn_conf", *preload, *threads
    )
    # gunicorn, the probe's module and the standard library: thousands of objects.
    assert frozen > 1000
    # Sync workers by default (production, behind a proxy); --threads gives gthread (make run).
    assert served_by == worker_class


def test_kilns_config_runs_two_workers_a_cpu_plus_one_unless_told(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    assert importlib.reload(gunicorn_conf).workers == 2 * os.cpu_count() + 1
    monkeypatch.setenv("WEB_CONCURRENCY", "7")
    assert importlib.reload(gunicorn_conf).workers == 7
    monkeypatch.delenv("WEB_CONCURRENCY")
    importlib.reload(gunicorn_conf)


def test_without_it_nothing_is_frozen():
    frozen, _ = served_by_one_worker()
    assert frozen == 0


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


def test_idle_keep_alive_connections_are_held_long_enough_to_be_reused(monkeypatch):
    # gunicorn's own 2 s closed connections that clients reused a moment later, and a POST
    # sent as one closed got "connection reset" (issue 25, point 12; docs/decisions.md).
    monkeypatch.delenv("KILN_KEEPALIVE_SECONDS", raising=False)
    assert importlib.reload(gunicorn_conf).keepalive == 30
    monkeypatch.setenv("KILN_KEEPALIVE_SECONDS", "5")
    assert importlib.reload(gunicorn_conf).keepalive == 5
    monkeypatch.delenv("KILN_KEEPALIVE_SECONDS")
    importlib.reload(gunicorn_conf)
