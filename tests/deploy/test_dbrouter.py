"""The read-replica router: which alias a read uses, and the read-your-writes pin."""

import time

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from kiln.accounts.models import User
from kiln.core import dbrouter
from kiln.core.dbrouter import PIN_COOKIE, ReplicaMiddleware, ReplicaRouter

router = ReplicaRouter()


@pytest.fixture
def replica_up(monkeypatch, settings):
    settings.KILN_DB_PIN_SECONDS = 5
    settings.KILN_DB_REPLICA_RETRY_SECONDS = 5
    monkeypatch.setattr(dbrouter, "_replica_down_until", 0.0)
    monkeypatch.setattr(dbrouter, "replica_available", lambda now=None: True)


def seen_alias(request) -> tuple[str, HttpResponse]:
    seen = {}

    def view(req):
        seen["alias"] = router.db_for_read(User)
        return HttpResponse("ok")

    response = ReplicaMiddleware(view)(request)
    return seen["alias"], response


def test_outside_a_request_reads_use_the_primary():
    # Workers, commands and tests: a task reads the row its enqueuer just committed.
    assert router.db_for_read(User) == "default"
    assert router.db_for_write(User) == "default"
    assert router.allow_migrate("replica", "accounts") is False


def test_safe_request_reads_the_replica(replica_up):
    alias, response = seen_alias(RequestFactory().get("/"))
    assert alias == "replica"
    assert PIN_COOKIE not in response.cookies


def test_a_write_pins_the_client_to_the_primary_for_a_few_seconds(replica_up):
    alias, response = seen_alias(RequestFactory().post("/posts/new"))
    assert alias == "default"
    pin = response.cookies[PIN_COOKIE]
    assert pin["max-age"] == 5 and pin["httponly"]
    # The next page (on any node: the pin is the client's cookie) reads its own write...
    after = RequestFactory().get("/")
    after.COOKIES[PIN_COOKIE] = pin.value
    assert seen_alias(after)[0] == "default"
    # ...and once the pin has run out, the replica again.
    stale = RequestFactory().get("/")
    stale.COOKIES[PIN_COOKIE] = str(int(time.time()) - 1)
    assert seen_alias(stale)[0] == "replica"


def test_garbage_pin_cookie_is_ignored(replica_up):
    request = RequestFactory().get("/")
    request.COOKIES[PIN_COOKIE] = "not-a-number"
    assert seen_alias(request)[0] == "replica"


@pytest.mark.django_db
def test_reads_inside_a_transaction_stay_on_the_primary(replica_up):
    from django.db import transaction

    def view(req):
        with transaction.atomic():
            return HttpResponse(router.db_for_read(User))

    assert ReplicaMiddleware(view)(RequestFactory().get("/")).content == b"default"


def test_replica_down_falls_back_to_the_primary_then_retries(monkeypatch, settings):
    settings.KILN_DB_REPLICA_RETRY_SECONDS = 5
    monkeypatch.setattr(dbrouter, "_replica_down_until", 0.0)
    calls = []

    class Dead:
        def close_if_health_check_failed(self):
            pass

        def ensure_connection(self):
            calls.append(1)
            raise OperationalError("connection refused")

    monkeypatch.setattr(dbrouter, "connections", {"replica": Dead(), "default": None})
    assert dbrouter.replica_available(now=100.0) is False
    assert dbrouter.replica_available(now=103.0) is False  # marked down: not even tried
    assert len(calls) == 1
    assert dbrouter.replica_available(now=106.0) is False  # tried again after 5 s
    assert len(calls) == 2


# --- A safe read that fails on the replica runs again on the primary -------------------------
# Through Django's whole handler (the test client), so process_exception and the template
# render step are the real ones.


class _Replica:
    """Stands in for the replica's connection: usable or not, and whether it was closed."""

    in_atomic_block = False

    def __init__(self, usable: bool):
        self.usable = usable
        self.closed = False

    def is_usable(self):
        return self.usable

    def close(self):
        self.closed = True


_attempts: list[str] = []


def _fails_on_the_replica(request):
    alias = router.db_for_read(User)
    _attempts.append(alias)
    if alias == "replica":
        raise OperationalError("terminating connection due to administrator command")
    return HttpResponse(alias)


def _fails_while_rendering(request):
    from django.template import engines
    from django.template.response import TemplateResponse

    def rendered_alias():  # a lazy read in a template, evaluated by Django's render step
        return _fails_on_the_replica(request).content.decode()

    template = engines["django"].from_string("{{ alias }}")
    return TemplateResponse(request, template, {"alias": rendered_alias})


def _fails_everywhere(request):
    _attempts.append(router.db_for_read(User))
    raise OperationalError("the primary is down too")


def _not_a_database_error(request):
    _attempts.append(router.db_for_read(User))
    raise ValueError("a bug, not the replica")


urlpatterns = [
    path("replica-read", _fails_on_the_replica),
    path("replica-render", _fails_while_rendering),
    path("everywhere", _fails_everywhere),
    path("bug", _not_a_database_error),
    path("write", csrf_exempt(_fails_on_the_replica)),
]


@pytest.fixture
def replica_handler(replica_up, monkeypatch, settings):
    settings.ROOT_URLCONF = __name__
    settings.MIDDLEWARE = ["kiln.core.dbrouter.ReplicaMiddleware"]
    _attempts.clear()
    replica = _Replica(usable=False)
    monkeypatch.setattr(dbrouter, "connections", {"replica": replica, "default": _Replica(True)})
    return replica


def test_a_replica_stopped_mid_read_gives_the_page_from_the_primary(replica_handler):
    response = Client(raise_request_exception=False).get("/replica-read")
    assert response.status_code == 200 and response.content == b"default"
    assert _attempts == ["replica", "default"]
    # The dead connection is dropped and the next requests skip the replica a while.
    assert replica_handler.closed
    assert dbrouter._replica_down_until > time.monotonic()


def test_a_replica_read_failing_in_the_template_is_rendered_from_the_primary(replica_handler):
    response = Client(raise_request_exception=False).get("/replica-render")
    assert response.status_code == 200 and response.content == b"default"
    assert _attempts == ["replica", "default"]


def test_a_query_the_live_replica_cancelled_is_retried_without_marking_it_down(replica_handler):
    replica_handler.usable = True  # e.g. cancelled to replay WAL: the replica itself is fine
    response = Client(raise_request_exception=False).get("/replica-read")
    assert response.content == b"default"
    assert not replica_handler.closed and dbrouter._replica_down_until == 0.0


def test_a_request_failing_on_the_primary_too_is_a_500_tried_once_more_only(replica_handler):
    response = Client(raise_request_exception=False).get("/everywhere")
    assert response.status_code == 500
    assert _attempts == ["replica", "default"]


def test_other_errors_and_writes_are_not_retried(replica_handler):
    client = Client(raise_request_exception=False)
    assert client.get("/bug").status_code == 500
    assert _attempts == ["replica"]
    _attempts.clear()
    # A write never read the replica, so its error is its own: never run twice.
    response = client.post("/write")
    assert response.status_code == 200 and _attempts == ["default"]
