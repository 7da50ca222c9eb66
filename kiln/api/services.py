"""Writes of the API app itself: client registration, revocation, upload descriptions.
Everything a client does to Kiln's content goes through the owning app's services."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_access_token_model, get_refresh_token_model

from kiln.api import scopes as scope_rules
from kiln.api.models import OOB, ClientApp

# Schemes a browser would run or read locally rather than hand to an app.
REFUSED_SCHEMES = {"javascript", "data", "file", "vbscript", "blob", "about"}


def _check_redirect_uri(uri: str) -> None:
    if uri == OOB:
        return
    parts = urlsplit(uri)
    if not parts.scheme or parts.scheme.lower() in REFUSED_SCHEMES or "#" in uri:
        raise ValidationError(f"redirect_uris: {uri[:100]!r} is not a usable redirect URI")
    if parts.scheme in ("http", "https") and not parts.netloc:
        raise ValidationError(f"redirect_uris: {uri[:100]!r} has no host")


@transaction.atomic
def client_app_create(
    *, name: str, redirect_uris: list[str], scopes: list[str], website: str = ""
) -> tuple[ClientApp, str]:
    """Register a client; returns it and its secret, which is stored only as a hash."""
    name = name.strip()
    if not name:
        raise ValidationError("client_name can't be blank")
    if not redirect_uris:
        raise ValidationError("redirect_uris can't be blank")
    for uri in redirect_uris:
        _check_redirect_uri(uri)
    scopes = scopes or ["read"]
    if bad := scope_rules.unknown(scopes):
        raise ValidationError(f"scopes: unknown scope {bad[0][:50]!r}")
    secret = generate_client_secret()
    app = ClientApp.objects.create(
        name=name,
        redirect_uris=" ".join(redirect_uris),
        client_type=ClientApp.CLIENT_CONFIDENTIAL,
        authorization_grant_type=ClientApp.GRANT_AUTHORIZATION_CODE,
        client_secret=secret,
        scopes=" ".join(dict.fromkeys(scopes)),
        website=website.strip(),
    )
    return app, secret


@transaction.atomic
def client_app_revoke_for_user(*, user, app_id: int) -> int:
    """Revoke every token this user gave this app; the number revoked."""
    tokens = get_access_token_model().objects.filter(user=user, application_id=app_id)
    count = tokens.count()
    get_refresh_token_model().objects.filter(user=user, application_id=app_id).delete()
    tokens.delete()
    return count
