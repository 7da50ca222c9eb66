"""Two artists in a real Chromium: follow, an image post with a hashtag and a mention, like,
reply, grouped notifications, the thread, and a block that both sides' pages respect."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Kiln-2026"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 90), (40, 90, 160)).save(out, "PNG")
    return out.getvalue()


def _login(context, base: str, username: str):
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Profile")).to_be_visible()
    return page


def test_follow_post_like_reply_notify_and_block(browser, live_server, make_user):
    from kiln.posts.models import Post
    from kiln.posts.services import post_like

    base = live_server.url
    make_user("ana", display_name="Ana Ink")
    make_user("ben", display_name="Ben Clay")
    cat = make_user("cat", display_name="Cat Moss")
    a = _login(browser.new_context(), base, "ana")
    b = _login(browser.new_context(), base, "ben")

    # 1. A follows B.
    a.goto(f"{base}/@ben")
    a.get_by_role("button", name="Follow").click()
    expect(a.get_by_role("button", name="Following")).to_be_visible()

    # 2. B posts an image with a hashtag and a mention of A.
    b.goto(f"{base}/compose")
    b.get_by_label("What are you working on?").fill("Fresh glaze test #ceramics for @ana")
    b.set_input_files(
        "input[name=images]",
        files=[{"name": "tile.png", "mimeType": "image/png", "buffer": _png()}],
    )
    b.get_by_label("Describe image 1").fill("A square tile glazed deep blue")
    b.get_by_role("button", name="Post", exact=True).click()
    expect(b.get_by_role("link", name="#ceramics")).to_have_attribute("href", "/tags/ceramics")
    expect(b.get_by_role("link", name="@ana")).to_have_attribute("href", "/@ana")
    expect(b.get_by_alt_text("A square tile glazed deep blue")).to_be_visible()
    post = Post.objects.get(author__username="ben")
    post_path = f"/@ben/posts/{post.pk}"

    # 3. A sees it on Following (home), likes it and replies.
    a.goto(f"{base}/")
    card = a.locator("article.post", has_text="Fresh glaze test")
    expect(card).to_be_visible()
    expect(card.get_by_alt_text("A square tile glazed deep blue")).to_be_visible()
    card.locator("button.action-like").click()
    expect(card.locator("button.action-like")).to_have_attribute("aria-pressed", "true")
    card.get_by_title("Reply").click()
    a.get_by_label("Your reply").fill("That blue is wonderful!")
    a.get_by_role("button", name="Reply", exact=True).click()
    expect(a.get_by_text("That blue is wonderful!")).to_be_visible()
    post_like(user=cat, post=post)  # a second like, so the notification groups

    # 4. B sees grouped notifications and the thread.
    b.goto(f"{base}/")
    expect(b.get_by_role("link", name="Notifications")).to_contain_text("4")
    b.goto(f"{base}/notifications")
    expect(b.get_by_text("Cat Moss and Ana Ink liked your post")).to_be_visible()
    expect(b.get_by_text("Ana Ink replied to your post")).to_be_visible()
    expect(b.get_by_text("Ana Ink followed you")).to_be_visible()
    b.get_by_role("button", name="Mark all read").click()
    expect(b.get_by_role("button", name="Mark all read")).to_have_count(0)
    b.goto(f"{base}{post_path}")
    expect(b.get_by_text("That blue is wonderful!")).to_be_visible()

    # 5. A blocks B: timelines, posts and profiles respect it on both sides.
    a.goto(f"{base}/@ben")
    a.locator("summary", has_text="More actions for @ben").click()
    a.locator("summary", has_text="Block @ben").click()  # a second step: it asks first
    a.get_by_role("button", name="Block", exact=True).click()
    expect(a.get_by_text("one of you has blocked the other")).to_be_visible()
    a.goto(f"{base}/")
    expect(a.get_by_text("Fresh glaze test")).to_have_count(0)
    assert a.goto(f"{base}{post_path}").status == 404
    b.goto(f"{base}/@ana")
    expect(b.get_by_text("one of you has blocked the other")).to_be_visible()
    expect(b.get_by_role("heading", name="Ana Ink")).to_have_count(0)
    b.goto(f"{base}{post_path}")
    expect(b.get_by_text("Fresh glaze test").first).to_be_visible()
    expect(b.get_by_text("That blue is wonderful!")).to_have_count(0)
    b.goto(f"{base}/notifications")
    expect(b.get_by_text("Ana Ink")).to_have_count(0)
