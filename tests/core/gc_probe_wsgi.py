"""A WSGI app for test_gunicorn_conf: answers with how many objects its process has frozen, and
the class of the gunicorn worker that called it (found on the call stack)."""

import gc
import sys


def serving_worker_class() -> str:
    frame = sys._getframe(1)
    while frame is not None:
        caller = frame.f_locals.get("self")
        if type(caller).__module__.startswith("gunicorn.workers."):
            return type(caller).__name__
        frame = frame.f_back
    return "unknown"


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"{gc.get_freeze_count()} {serving_worker_class()}".encode()]
