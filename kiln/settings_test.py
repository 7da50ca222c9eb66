"""Test settings: the real settings, with work run inline and fast password hashing."""

import os

os.environ.setdefault("KILN_VAR_DIR", "/tmp/kiln-test-var")  # noqa: S108 - test-only scratch

from kiln.settings import *  # noqa: E402,F403
from kiln.settings import KILN_TASK_QUEUES  # noqa: E402

# Background tasks run inline at enqueue time (after commit), so tests never sleep or poll.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": KILN_TASK_QUEUES,
    }
}
# Argon2 is the production hasher; tests use MD5 so that thousands of logins stay fast.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# The shield's shared counter file, one per test process: engineers' parallel runs share
# /tmp/kiln-test-var. A gunicorn started by a test names its own with KILN_SHIELD_STORE.
if "KILN_SHIELD_STORE" not in os.environ:
    KILN_SHIELD_STORE = f"/tmp/kiln-test-shield-{os.getpid()}.sqlite3"  # noqa: S108
# Insights' pending view counters, likewise one file per test process.
KILN_INSIGHTS_STORE = f"/tmp/kiln-test-insights-{os.getpid()}.sqlite3"  # noqa: S108
