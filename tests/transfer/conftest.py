"""Fixtures shared by the deletion tests (test_purge, test_legal_hold)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kiln.transfer import services

from .helpers import files_under, give_artist_a_life


def give_api_tokens(user, app_owner):
    """An app of her own, and a token she gave someone else's app (kiln.api's OAuth)."""
    from oauth2_provider.models import get_access_token_model, get_application_model

    def app(owner, name):
        return get_application_model().objects.create(
            name=name,
            user=owner,
            client_type="confidential",
            authorization_grant_type="authorization-code",
            redirect_uris="https://client.example/cb",
        )

    app(user, "her own app")
    get_access_token_model().objects.create(
        user=user,
        application=app(app_owner, "a client"),
        token="secret-token-value",
        expires=timezone.now() + timedelta(days=1),
        scope="read",
    )


@pytest.fixture
def leaving(make_user, django_capture_on_commit_callbacks, media_root):
    ana = make_user("ana")
    ben = make_user("ben")
    life = give_artist_a_life(ana, ben, django_capture_on_commit_callbacks)
    assert files_under(media_root), "the artist's work should be on disk"
    give_api_tokens(ana, ben)
    services.account_delete_request(user=ana, password="pw-Kiln-2026")
    return ana, ben, life
