"""Shared, cached post cards (kiln.posts.cards): every change a reader must see shows at once.

Each test warms the cache by reading a page, changes one thing, and reads again: a stale
card would fail it.
"""

import re

import pytest

from kiln.posts import services
from kiln.posts.cards import CSRF_PLACEHOLDER, post_cards, post_statuses
from kiln.social.services import follow_create, mute_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def ben(ben):
    """A reader who was here just now, so fan-out fills their Following timeline."""
    from django.utils import timezone

    ben.last_active_at = timezone.now()
    ben.save(update_fields=["last_active_at"])
    return ben


@pytest.fixture
def now(django_capture_on_commit_callbacks):
    """Run a service and what it starts on commit (fan-out), as a request would."""

    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run


def _card(post, reader, **kw) -> str:
    cards = post_cards([post.pk], reader, hidden=set(), **kw)
    return str(cards[0].html) if cards else ""


def _home(client) -> str:
    return client.get("/").content.decode()


def test_the_same_card_is_shared_by_readers_with_the_same_view(ana, ben, make_user):
    post = services.post_create(author=ana, text="glaze test")
    cy = make_user("cy")
    first = _card(post, ben)
    assert _card(post, cy) == first  # no per-reader content: one rendering serves both
    # Served without a request there is no token to put in the forms (never the placeholder).
    assert 'name="csrfmiddlewaretoken" value=""' in first and CSRF_PLACEHOLDER not in first


def test_counts_and_the_readers_own_like_show_at_once(ana, ben, make_user, client, now):
    now(follow_create, follower=ben, followed=ana)
    post = now(services.post_create, author=ana, text="kiln opening")
    client.force_login(ben)
    assert 'aria-pressed="false"' in _home(client)
    services.post_like(user=ben, post=post)
    html = _home(client)
    assert 'title="Unlike"' in html and '<span class="count">1</span>' in html
    services.post_like(user=make_user("cy"), post=post)
    assert '<span class="count">2</span>' in _home(client)
    services.post_unlike(user=ben, post=post)
    html = _home(client)
    assert 'title="Like"' in html and '<span class="count">1</span>' in html


def test_edits_profile_changes_and_deletes_show_at_once(ana, ben, client, now):
    now(follow_create, follower=ben, followed=ana)
    post = now(services.post_create, author=ana, text="first draft")
    client.force_login(ben)
    assert "first draft" in _home(client)
    now(services.post_edit, post=post, editor=ana, text="second draft")
    html = _home(client)
    assert "second draft" in html and "first draft" not in html and ">edited<" in html
    ana.profile.display_name = "Ana Kiln"
    ana.profile.save()
    assert "Ana Kiln" in _home(client)
    now(services.post_delete, post=post, actor=ana)
    assert "second draft" not in _home(client)


def test_a_quote_of_a_muted_author_is_hidden_for_that_reader_only(ana, ben, make_user):
    cy = make_user("cy")
    original = services.post_create(author=cy, text="the original")
    quote = services.post_create(author=ana, text="look at this", quote=original)
    assert "the original" in _card(quote, ben)
    mute_create(muter=ben, muted=cy)
    hidden = {cy.pk}
    cards = post_cards([quote.pk], ben, hidden=hidden)
    assert "the original" not in str(cards[0].html)
    assert "This post is unavailable." in str(cards[0].html)
    assert "the original" in _card(quote, make_user("dee"))


def test_an_image_held_after_posting_takes_the_cached_card_off_other_readers(ana, ben, make_asset):
    from kiln.provenance.models import Screening

    asset = make_asset(ana)
    post = services.post_create(author=ana, text="new piece", attachments=[(asset, "a vase")])
    Screening.objects.filter(asset=asset).delete()
    assert "held for review" not in _card(post, ben)
    Screening.objects.create(asset=asset, state=Screening.State.HELD)
    assert post_cards([post.pk], ben, hidden=set()) == []  # another reader: gone
    assert "held for review" in _card(post, ana)  # its author: held, and why


def test_each_reader_gets_a_working_csrf_token(ana, ben, client, now):
    now(follow_create, follower=ben, followed=ana)
    post = now(services.post_create, author=ana, text="like me")
    client.force_login(ben)
    html = _home(client)
    assert CSRF_PLACEHOLDER not in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
    client.handler.enforce_csrf_checks = True
    response = client.post(f"/posts/{post.pk}/like", {"csrfmiddlewaretoken": token})
    assert response.status_code in (200, 302)
    assert post.likes.filter(user=ben).exists()


def test_signed_out_cards_hold_no_forms_and_set_no_cookie(ana, client):
    post = services.post_create(author=ana, text="public work #ink")
    response = client.get("/tags/ink")
    html = response.content.decode()
    assert f"post-{post.pk}" in html and "csrfmiddlewaretoken" not in html
    assert "csrftoken" not in response.cookies


def test_dates_are_stable_and_marked_for_relative_display(ana, ben):
    post = services.post_create(author=ana, text="dated")
    html = _card(post, ben)
    assert re.search(
        r"<time datetime=\"[^\"]+\" title=\"[^\"]+\" data-relative>\w{3} \d+</time>", html
    )


def test_statuses_are_mastodon_shaped_with_the_reader_state(ana, ben):
    original = services.post_create(author=ana, text="to share", content_warning="glaze fumes")
    services.post_like(user=ben, post=original)
    repost = services.post_reblog(user=ben, post=original)
    [status] = post_statuses([repost.pk], ben, hidden=set())
    assert status["id"] == str(repost.pk) and status["account"]["username"] == "ben"
    shown = status["reblog"]
    assert shown["id"] == str(original.pk) and shown["account"]["display_name"] == "Ana Ink"
    assert shown["favourited"] is True and shown["reblogged"] is True
    assert shown["spoiler_text"] == "glaze fumes" and shown["sensitive"] is True
    assert shown["favourites_count"] == 1 and shown["reblogs_count"] == 1
    assert post_statuses([repost.pk], ben, hidden={ana.pk}) == []


def test_with_redis_a_card_rendered_by_one_process_serves_the_others(ana, ben, make_user):
    """Lane 2 (Redis): a card missing from this process's memory comes from Redis, without
    hydrating the post again. Lane 1 has no shared cache: the card is rendered again."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kiln.posts import cards

    post = services.post_create(author=ana, text="shared")
    first = _card(post, ben)
    cards._cache.clear()  # another process: nothing in its memory
    with CaptureQueriesContext(connection) as queries:
        again = _card(post, ben)
    assert again == first
    if isinstance(caches["default"], RedisCache):
        assert len(queries) == 1  # the facts query only
    else:
        assert len(queries) > 1  # hydrated and rendered again
