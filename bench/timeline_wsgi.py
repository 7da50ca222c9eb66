"""gunicorn entry point for bench/timeline.py: Kiln's WSGI app, warmed before the fork.

With `--preload`, importing every app's URLs and views here (once, in the master) spares each
worker its own cold start; the application itself is Kiln's, unchanged.
"""

from django.urls import get_resolver

from kiln.wsgi import application

get_resolver().url_patterns  # noqa: B018 - imports every app's views before the fork

__all__ = ["application"]
