"""Reads from a streaming replica, writes and read-your-writes on the primary.

Switched on only when KILN_DB_REPLICA_URL is set (kiln/settings.py adds the "replica" alias,
this router and `ReplicaMiddleware`). The replica is used only where it is known to be safe:
inside a web request that `ReplicaMiddleware` marked, that is a GET or HEAD

- from a client that has not written in the last KILN_DB_PIN_SECONDS (a write sets a short
  cookie, so the pin follows the client to any web node: no state on the nodes),
- outside a transaction on the primary,
- while the replica answers (a failed connection sends reads to the primary for
  KILN_DB_REPLICA_RETRY_SECONDS, then it is tried again).

A safe request whose replica read fails mid-way (the replica stopped under it, or cancelled the
query to replay WAL) runs its view once more on the primary: a GET or HEAD changes nothing, so
the client sees a slower page instead of a 500.

Everything else reads the primary: background workers (a task reads the row its enqueuer just
committed), management commands, tests, and kiln/core/fastdb.py's hot-path reads, which name
the "default" alias themselves (session and user: always fresh).
"""

import contextlib
import contextvars
import logging
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
PRIMARY = "default"
PIN_COOKIE = "kiln_rw"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_use_replica: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "kiln_use_replica", default=False
)
_replica_down_until = 0.0  # per process: after a failed connection, skip the replica a while


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _use_replica.get() and not connections[PRIMARY].in_atomic_block:
            return REPLICA
        return PRIMARY

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same rows on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY  # the replica follows the primary's WAL, migrations included


def replica_available(now: float | None = None) -> bool:
    """Whether the replica answers; a failure marks it down for a few seconds."""
    global _replica_down_until
    now = time.monotonic() if now is None else now
    if now < _replica_down_until:
        return False
    replica = connections[REPLICA]
    try:
        # A kept connection to a replica that has since stopped is found here (Django's health
        # check, done now instead of at the view's first query), not by a failing page.
        replica.close_if_health_check_failed()
        replica.ensure_connection()
    except OperationalError as exc:
        _mark_replica_down(now, exc)
        return False
    return True


def _mark_replica_down(now: float, exc: Exception) -> None:
    global _replica_down_until
    _replica_down_until = now + settings.KILN_DB_REPLICA_RETRY_SECONDS
    logger.warning("Read replica unavailable, reading from the primary: %s", exc)


def _recently_wrote(request, now: float) -> bool:
    try:
        return float(request.COOKIES.get(PIN_COOKIE, "0")) > now
    except ValueError:
        return False


class ReplicaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        now = time.time()
        safe = request.method in SAFE_METHODS
        use = safe and not _recently_wrote(request, now) and replica_available()
        token = _use_replica.set(use)
        try:
            response = self.get_response(request)
        finally:
            _use_replica.reset(token)
        if not safe and response.status_code < 500:
            # This client reads its own writes from the primary until the replica caught up.
            pin = settings.KILN_DB_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                f"{now + pin:.0f}",
                max_age=pin,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def process_exception(self, request, exception):
        """Run a safe request's view again on the primary when its replica read failed."""
        if not _use_replica.get() or not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        match = request.resolver_match
        if match is None:
            return None
        replica = connections[REPLICA]
        if not replica.is_usable():
            # Stopped or restarted under the query: the next requests skip it for a while.
            _mark_replica_down(time.monotonic(), exception)
            with contextlib.suppress(Exception):
                replica.close()
        else:
            logger.warning(
                "Replica read failed, %s %s again on the primary: %s",
                request.method,
                request.path,
                exception,
            )
        _use_replica.set(False)  # the outer __call__ resets it after this request
        response = match.func(request, *match.args, **match.kwargs)
        if callable(getattr(response, "render", None)):
            # A failure while rendering reaches here after Django's own render step.
            response = response.render()
        return response
