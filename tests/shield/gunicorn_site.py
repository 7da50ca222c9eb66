"""A real gunicorn with two sync workers serving a small seeded Kiln site, on the embedded
default (SQLite, no Redis), for the tests that must see every worker share counters and bans.

The access log names the worker (pid) that answered each request."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import REPO_ROOT

SEED = """
import json, django
django.setup()
from allauth.account.models import EmailAddress
from kiln.accounts.models import User
from kiln.accounts.services import profile_ensure
from tests.shield.site import build_site

def make_user(username, **fields):
    user = User.objects.create_user(username=username, email=username + "@example.com",
                                    password="pw-Kiln-2026")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    profile_ensure(user=user)
    return user

site = build_site(make_user, images={images}, projects={projects})
print(json.dumps({{"profile": site.profile_path, "projects": site.project_paths,
                  "renditions": site.rendition_paths()}}))
"""


@dataclass
class Served:
    url: str
    access_log: Path
    profile: str = ""
    projects: list = field(default_factory=list)
    renditions: list = field(default_factory=list)

    def log_lines(self) -> list[tuple[str, int, str, str]]:
        """(worker pid, status, X-Forwarded-For, path) per request served so far."""
        rows = []
        for line in self.access_log.read_text().splitlines():
            pid, status, client, path = line.split(" ", 3)
            rows.append((pid, int(status), client, path))
        return rows

    def statuses_by_worker(self, prefix: str, client: str) -> dict[str, Counter]:
        by_worker: dict[str, Counter] = {}
        for pid, status, sender, path in self.log_lines():
            if path.startswith(prefix) and sender == client:
                by_worker.setdefault(pid, Counter())[status] += 1
        return by_worker


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn_site(tmp_path: Path, *, images: int = 0, projects: int = 0, **settings):
    var = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        KILN_VAR_DIR=str(var),
        KILN_SHIELD_STORE=str(var / "shield" / "limits.sqlite3"),
        DJANGO_SETTINGS_MODULE="kiln.settings_test",  # inline tasks: the seed renders at once
        PYTHONPATH=str(REPO_ROOT),
        # Each test client names itself in X-Forwarded-For, so tests never share a budget.
        KILN_TRUSTED_PROXIES="127.0.0.1",
        **{key: str(value) for key, value in settings.items()},
    )
    run = {"cwd": REPO_ROOT, "env": env, "check": True, "timeout": 300}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], **run)
    served = Served(url="", access_log=tmp_path / "access.log")
    if images:
        seeded = subprocess.run(
            [sys.executable, "-c", SEED.format(images=images, projects=projects)],
            capture_output=True,
            text=True,
            **run,
        )
        found = json.loads(seeded.stdout.strip().splitlines()[-1])
        served.profile, served.projects = found["profile"], found["projects"]
        served.renditions = found["renditions"]
    port = free_port()
    served.url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "kiln.wsgi"),
            *("--workers", "2", "--bind", f"127.0.0.1:{port}"),
            *("--access-logfile", str(served.access_log)),
            *("--access-logformat", "%(p)s %(s)s %({x-forwarded-for}i)s %(U)s"),
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(served.url + "/healthz", timeout=2) as response:
                    assert response.read() == b"ok"
                break
            except OSError:
                assert process.poll() is None, process.stderr.read().decode()[-3000:]
                assert time.monotonic() < deadline, "gunicorn did not answer"
                time.sleep(0.2)
        yield served
    finally:
        process.terminate()
        process.wait(timeout=30)
