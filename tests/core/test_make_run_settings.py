"""`make run` serves as a visitor sees Kiln: DEBUG off, Kiln's own error pages (never Django's
technical pages, which list every route, the admin's path and the honeypot included), and
cookies that still work over the local plain-HTTP address."""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

PROBE = """
import json, os, django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test import Client
missing = None
if os.environ.get("PROBE_REQUEST"):
    call_command("collectstatic", "--noinput", verbosity=0)  # as `make run` does first
    client = Client(raise_request_exception=False)
    missing = client.get("/no-such-page/at-all", HTTP_HOST="127.0.0.1")
print(json.dumps({
    "debug": settings.DEBUG,
    "secure_cookies": settings.SESSION_COOKIE_SECURE,
    "hsts": settings.SECURE_HSTS_SECONDS,
    "status": missing and missing.status_code,
    "body": missing and missing.content.decode(),
    "admin_path": settings.KILN_ADMIN_PATH,
}))
"""


def _settings_under(env: dict, tmp_path) -> dict:
    environment = {
        **{k: v for k, v in os.environ.items() if k not in ("DEBUG", "DATABASE_URL", "REDIS_URL")},
        "DJANGO_SETTINGS_MODULE": "kiln.settings",
        "KILN_VAR_DIR": str(tmp_path),
        **env,
    }
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_make_run_serves_with_debug_off_and_kilns_own_404(tmp_path):
    makefile = (REPO / "Makefile").read_text()
    assert "DEBUG=0 KILN_LOCAL_HTTP=1 exec $(PY) -m kiln.devserver" in makefile
    seen = _settings_under({"DEBUG": "0", "KILN_LOCAL_HTTP": "1", "PROBE_REQUEST": "1"}, tmp_path)
    assert seen["debug"] is False
    assert seen["secure_cookies"] is False and seen["hsts"] == 0  # plain http://127.0.0.1
    assert seen["status"] == 404
    assert "<h1>Nothing here</h1>" in seen["body"]  # kiln/core/errors.py's page
    for leak in (seen["admin_path"], "URLconf", "urlpatterns", "Traceback"):
        assert leak not in seen["body"], leak


def test_production_keeps_every_strict_check(tmp_path):
    """DEBUG=0 without KILN_LOCAL_HTTP: secure cookies and HSTS, and no start without a key."""
    env = {"DEBUG": "0", "SECRET_KEY": "k" * 50, "ALLOWED_HOSTS": "kiln.example"}
    seen = _settings_under(env, tmp_path)
    assert seen["secure_cookies"] is True and seen["hsts"] > 0
    refused = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=REPO,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "kiln.settings",
            "DEBUG": "0",
            "KILN_VAR_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode != 0 and "SECRET_KEY" in refused.stderr
