"""Web processes never import torch: only the cloak worker needs it."""

import subprocess
import sys

from tests.conftest import REPO_ROOT

PROBE = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiln.settings")
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns  # every app's URLs and views
from kiln.cloak import selectors
selectors.cloak_unavailable_reason()  # what the cloak page asks
print("torch" in sys.modules)
"""


def test_loading_every_view_does_not_import_torch():
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
