"""A limited account is hidden from Discover and tag pages (followers still see it); a
suspended one is hidden everywhere."""

import pytest

from kiln.moderation import services
from kiln.timelines.selectors import discover_streams, public_posts

pytestmark = pytest.mark.django_db


def _discover_ids(viewer=None):
    return {kind: set(qs.values_list("id", flat=True)) for kind, qs in discover_streams(viewer)}


def test_limit_hides_from_discover_until_lifted(post, mod, mod2, rule, reporter):
    assert post.pk in set(public_posts(None).values_list("id", flat=True))
    action = services.action_take(
        moderator=mod,
        kind="limit",
        target_kind="profile",
        target_id=post.author.pk,
        facts="Spam",
        rule=rule,
    )
    assert post.pk not in set(public_posts(None).values_list("id", flat=True))
    assert post.pk not in _discover_ids(reporter)["post"]
    appeal = services.appeal_create(user=post.author, action=action, message="Not spam")
    services.appeal_decide(moderator=mod2, appeal=appeal, reverse=True)
    assert post.pk in _discover_ids(reporter)["post"]


def test_suspended_accounts_pages_are_gone(client, post, mod, rule):
    services.action_take(
        moderator=mod,
        kind="suspend",
        target_kind="profile",
        target_id=post.author.pk,
        facts="x",
        rule=rule,
    )
    assert client.get(f"/@{post.author.username}/posts/{post.pk}").status_code == 404


def test_limit_hides_from_search_but_not_from_the_account_itself(post, mod, rule, reporter):
    from kiln.search.selectors import search_posts

    def found(viewer):
        return post.pk in search_posts(viewer=viewer, q="painting", hydrate=False).items

    assert found(reporter) and found(None)
    services.action_take(
        moderator=mod,
        kind="limit",
        target_kind="profile",
        target_id=post.author.pk,
        facts="Spam",
        rule=rule,
    )
    assert not found(reporter) and not found(None)
    assert found(post.author)


def test_suspension_refuses_api_tokens_and_lifting_it_restores_them(client, post, mod, mod2, rule):
    import datetime as dt
    import secrets

    from django.utils import timezone
    from oauth2_provider.models import AccessToken, set_token_value

    from kiln.api.services import client_app_create

    app, _ = client_app_create(
        name="Client", redirect_uris=["urn:ietf:wg:oauth:2.0:oob"], scopes=["read"], website=""
    )
    raw = secrets.token_urlsafe(32)
    token = AccessToken(
        user=post.author,
        application=app,
        scope="read",
        expires=timezone.now() + dt.timedelta(hours=1),
    )
    set_token_value(token, raw)
    token.save()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    url = "/api/v1/accounts/verify_credentials"
    assert client.get(url, **auth).status_code == 200
    action = services.action_take(
        moderator=mod,
        kind="suspend",
        target_kind="profile",
        target_id=post.author.pk,
        facts="x",
        rule=rule,
    )
    assert client.get(url, **auth).status_code == 401
    appeal = services.appeal_create(user=post.author, action=action, message="please")
    services.appeal_decide(moderator=mod2, appeal=appeal, reverse=True)
    assert client.get(url, **auth).status_code == 200
