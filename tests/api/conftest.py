"""API test helpers: client apps and tokens made directly (the OAuth flow has its own tests)."""

import datetime as dt
import secrets

import pytest
from django.utils import timezone

from tests.api import schema as conformance


@pytest.fixture
def client_app(db):
    from kiln.api.services import client_app_create

    app, secret = client_app_create(
        name="Test client",
        redirect_uris=["https://client.example/cb", "urn:ietf:wg:oauth:2.0:oob"],
        scopes=["read", "write", "follow", "push"],
        website="https://client.example",
    )
    app.raw_secret = secret
    return app


@pytest.fixture
def make_token(client_app):
    """make_token(user, "read write") -> the raw Bearer token (stored hashed)."""
    from oauth2_provider.models import AccessToken, set_token_value

    def make(user, scope="read write follow push", *, expires_in=3600):
        raw = secrets.token_urlsafe(32)
        token = AccessToken(
            user=user,
            application=client_app,
            scope=scope,
            expires=timezone.now() + dt.timedelta(seconds=expires_in),
        )
        set_token_value(token, raw)
        token.save()
        return raw

    return make


@pytest.fixture
def api_client(client):
    """api_client(token).get(path) -> response, each validated against Mastodon's schema."""

    class ApiClient:
        def __init__(self, token=None):
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

        def call(self, method, path, data=None, *, validate=True, content_type=None, **extra):
            kwargs = {**self.headers, **extra}
            if data is not None:
                kwargs["data"] = data
                if content_type:
                    kwargs["content_type"] = content_type
            response = getattr(client, method)(path, **kwargs)
            if validate:
                conformance.validate(method, path, response)
            return response

        def get(self, path, data=None, **kw):
            return self.call("get", path, data, **kw)

        def post(self, path, data=None, **kw):
            if isinstance(data, dict) and "content_type" not in kw:
                kw["content_type"] = "application/json"
            return self.call("post", path, data, **kw)

        def put(self, path, data=None, **kw):
            kw.setdefault("content_type", "application/json")
            return self.call("put", path, data, **kw)

        def patch(self, path, data=None, **kw):
            kw.setdefault("content_type", "application/json")
            return self.call("patch", path, data, **kw)

        def delete(self, path, data=None, **kw):
            return self.call("delete", path, data, **kw)

    return ApiClient


@pytest.fixture
def streaming_server(transactional_db, settings):
    """The streaming ASGI app under a real uvicorn, in a thread of this process so that it
    shares the test database on both lanes (SQLite's is in memory). Yields its base URL."""
    import socket
    import threading
    import time

    import uvicorn

    settings.KILN_STREAMING_POLL = 0.05
    settings.ALLOWED_HOSTS = ["*"]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    from asgiref.sync import SyncToAsync
    from django.db import connection, connections

    from kiln.api.streaming import application

    def read_uncommitted():
        # SQLite's in-memory test database is one shared cache, where a reader's table lock
        # makes a concurrent writer fail at once ("database table is locked"); a file
        # database in WAL mode, as served, has no such locks. So the app's ORM thread reads
        # without them here (a no-op on PostgreSQL).
        if connection.vendor == "sqlite":
            connection.cursor().execute("PRAGMA read_uncommitted = 1")

    SyncToAsync.single_thread_executor.submit(read_uncommitted).result(timeout=10)

    server = uvicorn.Server(
        uvicorn.Config(
            application,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            ws="wsproto",
            timeout_graceful_shutdown=1,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(2)
    # The app's ORM thread (asgiref's single thread) holds a connection of its own: closed,
    # so the test database can be dropped.
    SyncToAsync.single_thread_executor.submit(connections.close_all).result(
        timeout=10
    )  # a daemon thread: an SSE reader still draining must not hold the suite
