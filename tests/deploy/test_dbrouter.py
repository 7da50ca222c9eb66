"""The read-replica router: which alias a read uses, and the read-your-writes pin."""

import time

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.test import RequestFactory

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
