"""The API's plumbing: Bearer tokens and scopes, parameters from query, form or JSON,
Mastodon's `{"error": ...}` shape for every refusal, rate-limit headers, Link pagination.

Only a Bearer token authenticates an API request. A session cookie is ignored, so a page
on another site cannot make a signed-in browser write through the API (no CSRF surface),
and the views are csrf-exempt for the token holders.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import time
from urllib.parse import urlencode

import orjson
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.models import get_access_token_model

from kiln.api import scopes as scope_rules
from kiln.core.fastdb import PreparedQuery
from kiln.shield.client import client_ip
from kiln.shield.ratelimit import rate_limit_state
from kiln.social.selectors import reader_flag_annotations

MAX_ID = 2**63 - 1
RATE_WINDOW = 300  # seconds, as Mastodon's 300 requests per 5 minutes


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def json_response(data, *, status: int = 200) -> HttpResponse:
    return HttpResponse(orjson.dumps(data), status=status, content_type="application/json")


def error(status: int, message: str) -> HttpResponse:
    return json_response({"error": message}, status=status)


def _message(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages) or "Validation failed"


# --- Tokens ---------------------------------------------------------------------------------


def _build_token_and_reader(checksum):
    return (
        get_access_token_model()
        .objects.filter(token_checksum=checksum)
        .select_related("user")
        .annotate(**reader_flag_annotations("user_id"))
    )


# The token, its user and the user's reader flags in one round trip, prepared once per
# process (kiln.core.fastdb): every API request makes this lookup.
_token_and_reader = PreparedQuery(_build_token_and_reader, "str")


def bearer_token(request):
    """The live access token the request carries, or None; a token that is forged, expired,
    revoked or whose account is disabled is a 401, never a silent anonymous request."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header:
        return None
    kind, _, raw = header.partition(" ")
    raw = raw.strip()
    if kind.lower() != "bearer" or not raw:
        raise ApiError(401, "The access token is invalid")
    checksum = hashlib.sha256(raw.encode()).hexdigest()
    found = _token_and_reader(checksum)
    token = found[0] if found else None
    if token is not None and token.user is not None:
        # The reader flags a session's user carries: no block query for most readers.
        token.user.in_any_block = token.in_any_block
        token.user.mutes_anyone = token.mutes_anyone
    if token is None:
        raise ApiError(401, "The access token is invalid")
    if token.expires <= timezone.now():
        raise ApiError(401, "The access token expired")
    if token.user is not None and not token.user.is_active:
        raise ApiError(401, "Your login is currently disabled")
    return token


class _Budget:
    """Mastodon's rate limit: per token, or per IP without one, in the store every process
    shares (kiln.core.limits, a sliding window). Counted before the view runs, so a request
    over the limit changes nothing."""

    def __init__(self, request, token):
        self.limit = settings.KILN_API_RATE_TOKEN if token else settings.KILN_API_RATE_IP
        ident = f"t:{token.pk}" if token is not None else f"ip:{client_ip(request)}"
        self.allowed, self.remaining, self.reset = rate_limit_state(
            scope="api", ident=ident, limit=self.limit, window=RATE_WINDOW
        )

    @property
    def exceeded(self) -> bool:
        return not self.allowed

    def headers(self, response) -> HttpResponse:
        if self.exceeded:
            response["Retry-After"] = str(max(1, int(self.reset - time.time())))
        response["X-RateLimit-Limit"] = str(self.limit)
        response["X-RateLimit-Remaining"] = str(self.remaining)
        reset = dt.datetime.fromtimestamp(self.reset, tz=dt.UTC)
        response["X-RateLimit-Reset"] = reset.isoformat().replace("+00:00", "Z")
        return response


def _authorise(request, *, scope, auth: str, methods):
    if request.method not in methods:
        raise ApiError(405, "Method not allowed")
    token = bearer_token(request)
    if token is None and auth != "optional":
        raise ApiError(401, "The access token is invalid")
    if token is not None:
        if scope is not None and not scope_rules.allows(token.scope.split(), scope):
            raise ApiError(403, "This action is outside the authorized scopes")
        if auth == "required" and token.user is None:
            raise ApiError(422, "This method requires an authenticated user")
    return token


def api(scope: str | None = None, *, auth: str = "required", methods=("GET",)):
    """An API view: `auth` is "required" (a user's token), "optional" (anonymous reads), or
    "app" (any token, a user's or an app's own). `scope` is what the token must grant."""

    def wrap(view):
        @functools.wraps(view)
        @csrf_exempt
        def wrapper(request, *args, **kwargs):
            token = None
            budget = None
            try:
                try:
                    token = _authorise(request, scope=scope, auth=auth, methods=methods)
                finally:  # a refused token is counted against its IP
                    budget = _Budget(request, token)
                if budget.exceeded:
                    raise ApiError(429, "Too many requests")
                request.api_token = token
                request.api_user = token.user if token is not None else None
                response = view(request, *args, **kwargs)
            except ApiError as exc:
                response = error(exc.status, exc.message)
            except ValidationError as exc:
                response = error(422, _message(exc))
            except PermissionDenied as exc:
                response = error(403, str(exc) or "This action is not allowed")
            except Http404:
                response = error(404, "Record not found")
            return budget.headers(response) if budget is not None else response

        return wrapper

    return wrap


# --- Parameters -----------------------------------------------------------------------------


class Params:
    """Request parameters from the query string, a form (urlencoded or multipart, on any
    method) or a JSON body, as Mastodon accepts them. Lists come as `name[]` or JSON arrays."""

    def __init__(self, request):
        self.files = {}
        data: dict = {}
        for key in request.GET:
            data[key] = request.GET.getlist(key)
        ctype = request.content_type or ""
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.body:
            if ctype == "application/json":
                data.update(self._json(request.body))
            elif ctype == "multipart/form-data":
                try:
                    if request.method == "POST":
                        form, files = request.POST, request.FILES
                    else:
                        form, files = request.parse_file_upload(request.META, request)
                except MultiPartParserError:
                    raise ApiError(400, "The form data could not be read") from None
                data.update({k: form.getlist(k) for k in form})
                self.files = files
            elif ctype == "application/x-www-form-urlencoded":
                form = request.POST if request.method == "POST" else QueryDict(request.body)
                data.update({k: form.getlist(k) for k in form})
        self.data = data

    @staticmethod
    def _json(body: bytes) -> dict:
        try:
            value = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "The JSON body could not be parsed") from None
        if not isinstance(value, dict):
            raise ApiError(400, "The JSON body must be an object")
        # Every value is wrapped in a list, as a form's are; a JSON array stays one value,
        # so a scalar parameter given an array is refused rather than half-read.
        return {key: [item] for key, item in value.items()}

    def get(self, name: str, default=None):
        values = self.data.get(name)
        if not values:
            return default
        value = values[-1]
        if isinstance(value, (dict, list)):
            raise ApiError(422, f"{name} must be a single value")
        return value

    def str(self, name: str, default: str = "", *, max_length: int = 10_000) -> str:
        value = self.get(name, default)
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ApiError(422, f"{name} must be a string")
        value = str(value)
        if len(value) > max_length:
            raise ApiError(422, f"{name} is too long (at most {max_length} characters)")
        return value

    def list(self, name: str) -> list:
        values = self.data.get(name + "[]") or self.data.get(name) or []
        if len(values) == 1 and isinstance(values[0], list):  # a JSON array
            values = values[0]
        if any(isinstance(v, (dict, list)) for v in values):
            raise ApiError(422, f"{name} must be a list of values")
        return [str(v) for v in values]

    def bool(self, name: str, default: bool = False) -> bool:
        value = self.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "t", "on", "yes"):
            return True
        if text in ("0", "false", "f", "off", "no"):
            return False
        raise ApiError(422, f"{name} must be true or false")

    def int(self, name: str, default: int | None = None, *, lo: int = 0, hi: int = MAX_ID):
        value = self.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            raise ApiError(422, f"{name} must be a number")
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ApiError(422, f"{name} must be a number") from None
        if not lo <= number <= hi:
            raise ApiError(422, f"{name} must be between {lo} and {hi}")
        return number

    def float(self, name: str, *, lo: float, hi: float) -> float | None:
        value = self.get(name)
        if value is None or value == "":
            return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ApiError(422, f"{name} must be a number") from None
        if not lo <= number <= hi:
            raise ApiError(422, f"{name} must be between {lo} and {hi}")
        return number


def parse_id(raw) -> int:
    """A path id: digits within 64 bits, else the record simply does not exist."""
    text = str(raw)
    if not text.isdigit() or len(text) > 19 or not 0 < int(text) <= MAX_ID:
        raise ApiError(404, "Record not found")
    return int(text)


# --- Pagination -----------------------------------------------------------------------------


class PageArgs:
    """max_id / since_id / min_id / limit, checked: ids must be 64-bit, `limit` is clamped
    to `most` as Mastodon does (a huge limit is not an error there either)."""

    def __init__(self, params: Params, *, default: int = 20, most: int = 40):
        self.max_id = params.int("max_id", hi=MAX_ID)
        self.since_id = params.int("since_id", hi=MAX_ID)
        self.min_id = params.int("min_id", hi=MAX_ID)
        limit = params.int("limit", default, lo=-MAX_ID, hi=MAX_ID)
        self.limit = max(1, min(limit, most))

    def apply(self, queryset, field: str = "id"):
        """The page as a list, newest first (ids are time-sortable)."""
        if self.max_id is not None:
            queryset = queryset.filter(**{f"{field}__lt": self.max_id})
        if self.since_id is not None:
            queryset = queryset.filter(**{f"{field}__gt": self.since_id})
        if self.min_id is not None:
            # The page just above min_id: oldest first, then turned newest first.
            rows = list(
                queryset.filter(**{f"{field}__gt": self.min_id}).order_by(field)[: self.limit]
            )
            return rows[::-1]
        return list(queryset.order_by(f"-{field}")[: self.limit])


def with_link(request, response, ids: list[int]) -> HttpResponse:
    """Mastodon's Link header: `next` (older, max_id) and `prev` (newer, min_id)."""
    if not ids:
        return response
    base = request.build_absolute_uri(request.path)
    query = {k: v for k, v in request.GET.items() if k not in ("max_id", "min_id", "since_id")}
    newer = urlencode({**query, "min_id": max(ids)})
    older = urlencode({**query, "max_id": min(ids)})
    response["Link"] = f'<{base}?{older}>; rel="next", <{base}?{newer}>; rel="prev"'
    return response
