"""OAuth 2 for Mastodon clients, on django-oauth-toolkit: app registration, the consent page,
tokens (authorization code with PKCE, client credentials, refresh), revocation, metadata,
and the "Authorised apps" settings page."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import orjson
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.datastructures import MultiValueDict
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from oauth2_provider import views as dot
from oauth2_provider.http import OAuth2ResponseRedirect

from kiln.api import scopes as scope_rules
from kiln.api.http import ApiError, Params, api, error, json_response
from kiln.api.models import OOB
from kiln.api.selectors import authorised_apps
from kiln.api.services import client_app_create, client_app_revoke_for_user


def _site(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def application_json(app, *, secret: str | None = None) -> dict:
    uris = app.redirect_uris.split()
    data = {
        "id": str(app.pk),
        "name": app.name,
        "website": app.website or None,
        "scopes": app.scope_list,
        "redirect_uri": "\n".join(uris),
        "redirect_uris": uris,
        "vapid_key": "",
    }
    if secret is not None:
        data |= {"client_id": app.client_id, "client_secret": secret}
        data["client_secret_expires_at"] = 0
    return data


@api(auth="optional", methods=("POST",))
def apps_create(request):
    params = Params(request)
    uris = params.list("redirect_uris")
    if len(uris) == 1:  # one string, possibly several URIs separated by newlines or spaces
        uris = uris[0].split()
    app, secret = client_app_create(
        name=params.str("client_name", max_length=200),
        redirect_uris=uris,
        scopes=params.str("scopes", "read", max_length=1000).split(),
        website=params.str("website", max_length=300),
    )
    return json_response(application_json(app, secret=secret))


@api(auth="app")
def apps_verify_credentials(request):
    return json_response(application_json(request.api_token.application))


# --- The authorization page -------------------------------------------------------------------


class AuthorizeView(dot.AuthorizationView):
    """DOT's authorization endpoint with Kiln's consent page, which names the app and lists
    what each scope lets it do; the out-of-band redirect shows the code to copy instead."""

    template_name = "api/authorize.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        granted = kwargs.get("scopes") or []
        context["scope_rows"] = [(s, scope_rules.SCOPES.get(s, s)) for s in granted]
        return context

    def redirect(self, redirect_to, application):
        if redirect_to.startswith(OOB):
            query = parse_qs(urlsplit(redirect_to).query)
            return render(
                self.request,
                "api/oob.html",
                {
                    "code": (query.get("code") or [""])[0],
                    "denied": "error" in query,
                    "application": application,
                },
            )
        schemes = application.get_allowed_schemes() if application else ["http", "https"]
        return OAuth2ResponseRedirect(redirect_to, schemes)


def _as_form(request) -> None:
    """Let DOT read a JSON body as the form it expects (Mastodon accepts both)."""
    if request.content_type != "application/json":
        return
    try:
        body = orjson.loads(request.body or b"{}")
    except orjson.JSONDecodeError:
        raise ApiError(400, "The JSON body could not be parsed") from None
    if not isinstance(body, dict):
        raise ApiError(400, "The JSON body must be an object")
    form = QueryDict(mutable=True)
    for key, value in body.items():
        form[key] = " ".join(value) if isinstance(value, list) else str(value)
    request._post, request._files = form, MultiValueDict()


@method_decorator(csrf_exempt, name="dispatch")
class TokenView(dot.TokenView):
    """DOT's token endpoint, taking JSON bodies too and answering with Mastodon's
    `created_at` (clients show it)."""

    def post(self, request, *args, **kwargs):
        try:
            _as_form(request)
        except ApiError as exc:
            return error(exc.status, exc.message)
        response = super().post(request, *args, **kwargs)
        if response.status_code == 200:
            data = orjson.loads(response.content)
            data["created_at"] = int(time.time())
            data["token_type"] = "Bearer"  # noqa: S105 - the scheme's name
            response.content = orjson.dumps(data)
        return response


@method_decorator(csrf_exempt, name="dispatch")
class RevokeView(dot.RevokeTokenView):
    def post(self, request, *args, **kwargs):
        try:
            _as_form(request)
        except ApiError as exc:
            return error(exc.status, exc.message)
        response = super().post(request, *args, **kwargs)
        if response.status_code == 200:
            return json_response({})
        if response.status_code == 401:
            return error(403, "You are not authorized to revoke this token")
        return response


def authorization_server_metadata(request) -> HttpResponse:
    site = _site(request)
    return json_response(
        {
            "issuer": f"{site}/",
            "service_documentation": "https://docs.joinmastodon.org/",
            "authorization_endpoint": f"{site}/oauth/authorize",
            "token_endpoint": f"{site}/oauth/token",
            "revocation_endpoint": f"{site}/oauth/revoke",
            "app_registration_endpoint": f"{site}/api/v1/apps",
            "scopes_supported": sorted(scope_rules.SCOPES),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "code_challenge_methods_supported": ["S256"],
            "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token"],
            "token_endpoint_auth_methods_supported": [
                "client_secret_basic",
                "client_secret_post",
            ],
        }
    )


# --- Settings: Authorised apps ----------------------------------------------------------------


@login_required
def authorised_apps_page(request):
    return render(request, "api/authorised_apps.html", {"apps": authorised_apps(user=request.user)})


@login_required
@require_POST
def authorised_app_revoke(request, app_id: int):
    revoked = client_app_revoke_for_user(user=request.user, app_id=app_id)
    if revoked:
        messages.success(request, "Access revoked: that app can no longer use your account.")
    return redirect("api:authorised_apps")
