"""Profile tabs read a page in a constant number of queries, whatever the page size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kiln.posts import services
from kiln.posts.cards import clear_card_cache
from kiln.social.services import follow_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy(make_user, make_asset):
    ana, ben, cat = make_user("ana"), make_user("ben"), make_user("cat")
    follow_create(follower=cat, followed=ana)
    for i in range(45):
        attachments = [(make_asset(ana), "alt")] if i % 3 == 0 else []
        post = services.post_create(
            author=ana,
            text=f"post {i} #tag @ben",
            attachments=attachments,
            visibility="followers" if i % 5 == 0 else "public",
        )
        if i % 4 == 0:
            services.post_create(author=ana, text="quote", quote=post)
        services.post_like(user=cat, post=post)
        services.post_reblog(user=ben, post=post) if i % 5 else None
    return ana, ben, cat


def _count(client, path, *, cards_cached=False):
    """Queries for one page; by default the worst case, with no rendered card cached."""
    if not cards_cached:
        clear_card_cache()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.parametrize(
    ("path", "large_count"),
    [("/@ana/posts", 40), ("/@cat/likes", 40), ("/@ben/posts", 36)],  # ben reposted 36
)
def test_profile_tabs_constant_queries_for_10_and_40(client, busy, path, large_count):
    client.force_login(busy[2])
    client.get(path)  # warm per-process caches (the shield's token list)
    small, small_page = _count(client, f"{path}?size=10")
    large, large_page = _count(client, f"{path}?size=40")
    assert small == large
    assert small_page.count('class="post ') + small_page.count('class="post"') == 10
    assert large_page.count('class="post ') + large_page.count('class="post"') == large_count
    # With the cards cached (a second read), fewer queries, still the same for both sizes.
    cached_small, _ = _count(client, f"{path}?size=10", cards_cached=True)
    cached_large, _ = _count(client, f"{path}?size=40", cards_cached=True)
    assert cached_small == cached_large < small


def test_posts_tab_queries_exact(client, busy, django_assert_num_queries):
    """The whole profile page with a Posts tab of 40: session, user, profile, relationship,
    counts, the id page and hydration. A new query here needs a reason."""
    client.force_login(busy[2])
    client.get("/@ana/posts?size=40")  # warm anything per-process
    clear_card_cache()
    with CaptureQueriesContext(connection) as ctx:
        client.get("/@ana/posts?size=40")
    clear_card_cache()
    with django_assert_num_queries(len(ctx.captured_queries)):
        client.get("/@ana/posts?size=10")
