"""gunicorn entry point for bench/timeline.py: Kiln's WSGI app, warmed before the fork.

With `--preload`, importing every app's URLs and views here (once, in the master) spares each
worker its own cold start; the application itself is Kiln's, unchanged, with one route added:
the signed-in floor, a trivial view that the benchmark asks for with the readers' session
cookies, so that it passes through everything a signed-in page does (session, user, per-IP and
per-account budgets, CSRF, CSP) and nothing more. /healthz, the anonymous floor, skips the
session, the user and the budgets.
"""

import importlib
import os

from django.conf import settings

# The insights lane of bench/timeline.py compares this server with one that counts no views:
# the same app without the counting middleware (the only place a view is recorded).
if os.environ.get("KILN_BENCH_NO_INSIGHTS") == "1":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiln.settings")
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "kiln.insights.middleware.InsightsMiddleware"
    ]

from django.http import HttpResponse  # noqa: E402
from django.urls import get_resolver, path  # noqa: E402

from kiln.wsgi import application  # noqa: E402  # sets Django up: the URLconf can be imported after it

SIGNED_IN_FLOOR_PATH = "bench/floor"


def signed_in_floor(request):
    """Answers with the reader's name, which proves the session was read."""
    return HttpResponse(f"ok {request.user.username}", content_type="text/plain")


# After the core routes ("/" is the first pattern Kiln tries; this one is about the sixth).
kiln_urls = importlib.import_module("kiln.urls")
kiln_urls.urlpatterns.insert(1, path(SIGNED_IN_FLOOR_PATH, signed_in_floor))
get_resolver().url_patterns  # noqa: B018 - imports every app's views before the fork

__all__ = ["application"]
