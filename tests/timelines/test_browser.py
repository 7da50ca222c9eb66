"""In Chromium: infinite scroll, then the "new posts" pill loads newer posts in place."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.html import escape
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _post(author, text):
    from kiln.posts.models import Post
    from kiln.timelines.services import timeline_post_created

    post = Post.objects.create(author=author, text=text, text_html=escape(text))
    timeline_post_created(post=post)  # autocommit: fan-out runs at once (ImmediateBackend)
    return post


def test_scroll_then_pill_keeps_the_readers_place(page: Page, live_server, make_user):
    from kiln.social.models import Follow

    ana, bea = make_user("ana"), make_user("bea")
    for user in (ana, bea):
        user.last_active_at = timezone.now() - dt.timedelta(hours=1)
        user.save(update_fields=["last_active_at"])
    Follow.objects.create(follower=ana, followed=bea)
    posts = [_post(bea, f"Sketch number {i}") for i in range(30)]

    client = Client()
    client.force_login(ana)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/")
    items = page.locator("#timeline-items > li.timeline-item")
    expect(items).to_have_count(20)

    # Infinite scroll: reaching the end loads the next page once, with no duplicates.
    page.locator(".timeline-more").scroll_into_view_if_needed()
    expect(items).to_have_count(30)
    expect(page.get_by_text("You're all caught up.")).to_be_visible()

    # The reader is in the middle of the list when new posts arrive.
    anchor = page.locator(f"#item-{posts[10].pk}")
    anchor.scroll_into_view_if_needed()
    page.mouse.wheel(0, 50)
    page.wait_for_timeout(100)
    before = anchor.bounding_box()["y"]
    fresh = [_post(bea, f"Fresh work {i}") for i in range(3)]

    # The poller fires every 30 s; fire it now instead of waiting.
    page.evaluate(
        "() => { const el = document.getElementById('new-posts');"
        " htmx.ajax('GET', el.getAttribute('hx-get'), {target: el, swap: 'innerHTML'}); }"
    )
    pill = page.get_by_role("button", name="3 new posts")
    expect(pill).to_be_visible()
    pill.click()
    expect(items).to_have_count(33)
    ids = items.evaluate_all("els => els.map(e => e.dataset.id)")
    assert ids[:3] == [str(p.pk) for p in reversed(fresh)]
    assert len(set(ids)) == 33
    assert abs(anchor.bounding_box()["y"] - before) < 2  # the reader has not moved
    expect(pill).to_have_count(0)  # the poller was replaced, pointing at the new top
    new_top = page.locator("#new-posts").get_attribute("hx-get")
    assert f"after={fresh[-1].pk}" in new_top
