import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT


def run_check(env):
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='kiln.settings'; django.setup()",
        ],
        cwd=REPO_ROOT,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "0", "ALLOWED_HOSTS": "kiln.example"}, "SECRET_KEY"),
        ({"DEBUG": "0", "SECRET_KEY": "django-insecure-short"}, "SECRET_KEY"),
        ({"DEBUG": "0", "SECRET_KEY": "k" * 50, "ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_insecure_defaults(env, message):
    result = run_check(env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_starts_with_real_settings_and_secure_cookies():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='kiln.settings'; django.setup();"
            "from django.conf import settings as s;"
            "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)",
        ],
        cwd=REPO_ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DEBUG": "0",
            "SECRET_KEY": "k" * 50,
            "ALLOWED_HOSTS": "kiln.example",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "31536000"]
