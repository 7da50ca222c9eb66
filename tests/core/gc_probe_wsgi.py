"""A WSGI app for test_gunicorn_conf: answers with how many objects its process has frozen."""

import gc


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(gc.get_freeze_count()).encode()]
