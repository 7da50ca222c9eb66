"""Apps and OAuth: registration, the consent page, every grant, PKCE, revocation, tokens
hashed at rest, scopes enforced, bad input refused with Mastodon's error shape."""

import base64
import datetime as dt
import hashlib
import json
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.utils import timezone

from tests.api import schema as conformance

pytestmark = pytest.mark.django_db


def _register(client, **overrides):
    data = {
        "client_name": "Tusky",
        "redirect_uris": "tusky://oauth",
        "scopes": "read write follow",
        "website": "https://tusky.app",
        **overrides,
    }
    response = client.post("/api/v1/apps", data)
    conformance.validate("post", "/api/v1/apps", response)
    return response


def _authorize(client, user, app, *, redirect_uri, scope="read write follow", **extra):
    client.force_login(user)
    query = {
        "client_id": app["client_id"],
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": scope,
        **extra,
    }
    page = client.get("/oauth/authorize?" + urlencode(query))
    assert page.status_code == 200
    html = page.content.decode()
    assert app["name"] in html and "write:statuses" not in html  # names the app and its scopes
    assert "<code>follow</code>" in html
    form = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    response = client.post("/oauth/authorize/", {**form, "allow": "Authorize"})
    client.logout()
    return response


def _code_from(response) -> str:
    return parse_qs(urlsplit(response["Location"]).query)["code"][0]


def _token(client, **data):
    response = client.post("/oauth/token", data)
    conformance.validate("post", "/oauth/token", response)
    return response


def test_register_app_from_form_query_and_json(client):
    form = _register(client).json()
    assert form["name"] == "Tusky" and form["scopes"] == ["read", "write", "follow"]
    assert form["redirect_uris"] == ["tusky://oauth"] and form["client_secret"]
    query = client.post(
        "/api/v1/apps?"
        + urlencode({"client_name": "Q", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"})
    )
    assert query.status_code == 200 and query.json()["scopes"] == ["read"]
    body = {"client_name": "J", "redirect_uris": ["https://a.example/cb", "b://x"]}
    as_json = client.post("/api/v1/apps", json.dumps(body), content_type="application/json")
    assert as_json.json()["redirect_uris"] == ["https://a.example/cb", "b://x"]


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"client_name": ""}, "client_name"),
        ({"redirect_uris": ""}, "redirect_uris"),
        ({"redirect_uris": "javascript:alert(1)"}, "redirect"),
        ({"redirect_uris": "no-scheme"}, "redirect"),
        ({"scopes": "read admin:everything"}, "scope"),
    ],
)
def test_register_app_refuses_bad_input(client, overrides, message):
    from kiln.api.models import ClientApp

    response = _register(client, **overrides)
    assert response.status_code == 422 and message in response.json()["error"]
    assert not ClientApp.objects.exists()


def test_register_app_malformed_json_is_400(client):
    response = client.post("/api/v1/apps", "{nope", content_type="application/json")
    assert response.status_code == 400 and "error" in response.json()


def test_authorization_code_flow_with_pkce_and_refresh(client, ana):
    app = _register(client).json()
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    challenge = challenge.rstrip(b"=").decode()
    redirected = _authorize(
        client,
        ana,
        app,
        redirect_uri="tusky://oauth",
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    assert redirected.status_code == 302 and redirected["Location"].startswith("tusky://oauth?")
    code = _code_from(redirected)
    common = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": "tusky://oauth",
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
    }
    wrong = _token(client, **common, code_verifier="x" * 50)
    assert wrong.status_code == 400  # PKCE: a wrong verifier gets no token
    redirected = _authorize(
        client, ana, app, redirect_uri="tusky://oauth", code_challenge=challenge,
        code_challenge_method="S256",
    )  # fmt: skip
    common["code"] = _code_from(redirected)
    issued = _token(client, **common, code_verifier=verifier)
    assert issued.status_code == 200
    token = issued.json()
    assert token["token_type"] == "Bearer" and token["scope"] == "read write follow"
    assert abs(token["created_at"] - timezone.now().timestamp()) < 60
    me = client.get(
        "/api/v1/accounts/verify_credentials", HTTP_AUTHORIZATION=f"Bearer {token['access_token']}"
    )
    assert me.status_code == 200 and me.json()["username"] == "ana"
    # The code works once.
    assert _token(client, **common, code_verifier=verifier).status_code == 400
    refreshed = _token(
        client,
        grant_type="refresh_token",
        refresh_token=token["refresh_token"],
        client_id=app["client_id"],
        client_secret=app["client_secret"],
    )
    assert (
        refreshed.status_code == 200 and refreshed.json()["access_token"] != token["access_token"]
    )


def test_token_from_json_body_and_basic_auth(client, ana):
    app = _register(client).json()
    code = _code_from(_authorize(client, ana, app, redirect_uri="tusky://oauth"))
    basic = base64.b64encode(f"{app['client_id']}:{app['client_secret']}".encode()).decode()
    body = {"grant_type": "authorization_code", "code": code, "redirect_uri": "tusky://oauth"}
    response = client.post(
        "/oauth/token",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    assert response.status_code == 200 and response.json()["access_token"]


def test_out_of_band_shows_the_code(client, ana):
    app = _register(client, redirect_uris="urn:ietf:wg:oauth:2.0:oob").json()
    page = _authorize(client, ana, app, redirect_uri="urn:ietf:wg:oauth:2.0:oob")
    assert page.status_code == 200
    code = page.context["code"]
    assert code and code in page.content.decode()
    issued = _token(
        client,
        grant_type="authorization_code",
        code=code,
        redirect_uri="urn:ietf:wg:oauth:2.0:oob",
        client_id=app["client_id"],
        client_secret=app["client_secret"],
    )
    assert issued.status_code == 200


def test_authorize_needs_login_and_a_registered_redirect(client, ana):
    app = _register(client).json()
    query = urlencode(
        {"client_id": app["client_id"], "redirect_uri": "tusky://oauth", "response_type": "code"}
    )
    anonymous = client.get(f"/oauth/authorize?{query}")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    client.force_login(ana)
    evil = query.replace("tusky", "evil")
    page = client.get(f"/oauth/authorize?{evil}")
    assert page.status_code in (200, 400) and b"evil://" not in page.content


def test_client_credentials_token_is_app_only(client, ana):
    app = _register(client).json()
    issued = _token(
        client,
        grant_type="client_credentials",
        client_id=app["client_id"],
        client_secret=app["client_secret"],
        scope="read",
    )
    assert issued.status_code == 200
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issued.json()['access_token']}"}
    verified = client.get("/api/v1/apps/verify_credentials", **auth)
    conformance.validate("get", "/api/v1/apps/verify_credentials", verified)
    assert verified.json()["name"] == "Tusky"
    assert client.get("/api/v1/accounts/verify_credentials", **auth).status_code == 422


def test_wrong_client_secret_gets_no_token(client):
    app = _register(client).json()
    response = _token(
        client,
        grant_type="client_credentials",
        client_id=app["client_id"],
        client_secret="wrong",
    )
    assert response.status_code == 401


def test_tokens_and_secrets_are_stored_hashed(client, ana):
    from oauth2_provider.models import AccessToken, RefreshToken

    from kiln.api.models import ClientApp

    app = _register(client).json()
    code = _code_from(_authorize(client, ana, app, redirect_uri="tusky://oauth"))
    token = _token(
        client,
        grant_type="authorization_code",
        code=code,
        redirect_uri="tusky://oauth",
        client_id=app["client_id"],
        client_secret=app["client_secret"],
    ).json()
    stored = AccessToken.objects.get()
    assert (
        stored.token == ""
        and stored.token_checksum == hashlib.sha256(token["access_token"].encode()).hexdigest()
    )
    assert RefreshToken.objects.get().token == ""
    assert ClientApp.objects.get().client_secret != app["client_secret"]


def test_revoke_makes_the_token_useless(client, ana):
    app = _register(client).json()
    code = _code_from(_authorize(client, ana, app, redirect_uri="tusky://oauth"))
    token = _token(
        client,
        grant_type="authorization_code",
        code=code,
        redirect_uri="tusky://oauth",
        client_id=app["client_id"],
        client_secret=app["client_secret"],
    ).json()["access_token"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/api/v1/accounts/verify_credentials", **auth).status_code == 200
    body = {"client_id": app["client_id"], "client_secret": app["client_secret"], "token": token}
    revoked = client.post("/oauth/revoke", json.dumps(body), content_type="application/json")
    assert revoked.status_code == 200 and revoked.json() == {}
    gone = client.get("/api/v1/accounts/verify_credentials", **auth)
    assert gone.status_code == 401 and gone.json()["error"]


def test_forged_expired_and_malformed_tokens_are_401(client, ana, make_token):
    expired = make_token(ana, expires_in=-10)
    for header in (f"Bearer {expired}", "Bearer forged-token", "Bearer", "Basic abc", "Token x"):
        response = client.get("/api/v1/accounts/verify_credentials", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header
        assert set(response.json()) == {"error"}


def test_disabled_account_token_is_401(client, ana, make_token):
    token = make_token(ana)
    ana.is_active = False
    ana.save(update_fields=["is_active"])
    response = client.get(
        "/api/v1/accounts/verify_credentials", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 401


def test_scopes_are_enforced(api_client, ana, make_token):
    read_only = api_client(make_token(ana, "read"))
    assert read_only.get("/api/v1/accounts/verify_credentials").status_code == 200
    refused = read_only.patch("/api/v1/accounts/update_credentials", {"note": "hi"})
    assert refused.status_code == 403
    ana.profile.refresh_from_db()
    assert ana.profile.bio == ""
    sub_scope = api_client(make_token(ana, "read:accounts write:accounts"))
    assert sub_scope.patch("/api/v1/accounts/update_credentials", {"note": "hi"}).status_code == 200
    statuses_only = api_client(make_token(ana, "read:statuses"))
    assert statuses_only.get("/api/v1/accounts/verify_credentials").status_code == 403


def test_session_cookie_is_not_an_api_login(client, ana):
    """A signed-in browser is anonymous to the API: no cross-site writes through cookies."""
    client.force_login(ana)
    response = client.patch(
        "/api/v1/accounts/update_credentials",
        json.dumps({"note": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 401
    ana.profile.refresh_from_db()
    assert ana.profile.bio == ""


def test_metadata_document(client):
    doc = client.get("/.well-known/oauth-authorization-server").json()
    assert doc["token_endpoint"].endswith("/oauth/token")
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert "write:statuses" in doc["scopes_supported"]


def test_authorised_apps_page_lists_and_revokes(client, ana, ben, make_token, client_app):
    token = make_token(ana)
    make_token(ben)
    client.force_login(ana)
    page = client.get("/settings/apps")
    assert page.status_code == 200 and "Test client" in page.content.decode()
    response = client.post(f"/settings/apps/{client_app.pk}/revoke")
    assert response.status_code == 302
    client.logout()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/api/v1/accounts/verify_credentials", **auth).status_code == 401
    from oauth2_provider.models import AccessToken

    assert AccessToken.objects.filter(user=ben).count() == 1  # another user's grant is untouched


def test_authorised_apps_page_needs_login_and_csrf(client, ana, make_token, client_app):
    from django.test import Client

    assert client.get("/settings/apps").status_code == 302
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(ana)
    make_token(ana)
    assert strict.post(f"/settings/apps/{client_app.pk}/revoke").status_code == 403


def test_token_lifetime_is_a_year(client, ana):
    app = _register(client).json()
    code = _code_from(_authorize(client, ana, app, redirect_uri="tusky://oauth"))
    token = _token(
        client,
        grant_type="authorization_code",
        code=code,
        redirect_uri="tusky://oauth",
        client_id=app["client_id"],
        client_secret=app["client_secret"],
    ).json()
    assert dt.timedelta(seconds=token["expires_in"]) > dt.timedelta(days=300)
