"""The streaming API's entry point: `uvicorn kiln.streaming:application` (kiln/api/streaming.py).

A process of its own beside the web server (kiln/devserver.py, deploy/local.sh), so open streams
never hold the web server's sync workers."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiln.settings")
django.setup()

from kiln.api.streaming import application  # noqa: E402

__all__ = ["application"]
