"""Every API response the tests see, checked against Mastodon's OpenAPI description
(../shared/mastodon-api/schema.json, Mastodon 4.7) with openapi-core.

Success responses are validated against the operation's schema; every 4xx must be Mastodon's
`{"error": "..."}`. Deliberate differences are listed below with their reasons; anything else
that disagrees fails the test that made the request.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from openapi_core import Config, OpenAPI
from openapi_core.validation.request.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

SCHEMA = Path(__file__).resolve().parents[2].parent / "shared" / "mastodon-api" / "schema.json"

# Paths that are not Mastodon's (or not in its description) and are checked by their own tests.
NOT_IN_SCHEMA = {
    "/oauth/revoke",  # answers {} as Mastodon does; the description lists no body
    "/.well-known/oauth-authorization-server",  # RFC 8414 document, not in the description
}

# Deliberate differences, each with its reason.
DIFFERENCES = {
    # The description has no 202 for POST /api/v2/media's processing answer in some
    # versions; Mastodon itself answers 202 while media is processed, and so does Kiln.
    ("post", "/api/v2/media", 202): "Mastodon answers 202 while processing",
    # GET /api/v1/media/:id answers 206 while Kiln's pipeline is still rendering, as
    # Mastodon does; the description does not list 206.
    ("get", "/api/v1/media/{id}", 206): "Mastodon answers 206 until processed",
}


@lru_cache(maxsize=1)
def _spec() -> dict:
    return json.loads(SCHEMA.read_text())


@lru_cache(maxsize=1)
def _openapi() -> OpenAPI:
    spec = _spec()
    # The description itself fails strict spec validation (a "null" string default for an
    # integer in PreviewCard); the schemas Kiln's responses are checked against are sound.
    return OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))


class _Request:
    """openapi-core's request protocol over a Django test request (host as the spec's
    server, so scheme and host match its `https://{hostname}`)."""

    host_url = "https://mastodon.example"

    def __init__(self, method: str, path: str, django_request):
        self.method = method.lower()
        self.path = path
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(list(django_request.GET.lists())),
            header=Headers(dict(django_request.headers)),
            cookie=ImmutableMultiDict(),
        )
        self.content_type = "application/json"
        self.body = b""

    @property
    def full_url_pattern(self):
        return self.host_url + self.path


class _Response:
    def __init__(self, response):
        self.status_code = response.status_code
        self.content_type = response.get("Content-Type", "").split(";")[0]
        self.headers = Headers(dict(response.items()))
        self.data = response.content


def _spec_path(path: str) -> str | None:
    """The description's template for a concrete path (ids become {id} etc.)."""
    paths = _spec()["paths"]
    parts = path.rstrip("/").split("/")
    for template in paths:
        tparts = template.split("/")
        if len(tparts) == len(parts) and all(
            t == p or (t.startswith("{") and t.endswith("}"))
            for t, p in zip(tparts, parts, strict=False)
        ):
            return template
    return None


def validate(method: str, path: str, response) -> None:
    path = path.split("?")[0]
    if path in NOT_IN_SCHEMA:
        return
    if response.status_code >= 400:
        body = json.loads(response.content)
        assert isinstance(body, dict) and isinstance(body.get("error"), str), (
            f"{method.upper()} {path} {response.status_code}: not Mastodon's error shape: {body}"
        )
        return
    template = _spec_path(path)
    assert template is not None, f"{path} is not in Mastodon's API description"
    if (method, template, response.status_code) in DIFFERENCES:
        return
    _openapi().validate_response(_Request(method, path, response.wsgi_request), _Response(response))
