"""A newcomer's first minutes, in a real Chromium: sign up, verify, log in, edit, be seen."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_signup_verify_login_edit_and_public_profile(page: Page, live_server):
    base = live_server.url
    page.goto(f"{base}/")
    page.get_by_role("link", name="Join Kiln").click()

    page.get_by_label("Email", exact=True).fill("ines@example.com")
    page.get_by_label("Username", exact=True).fill("ines_draws")
    page.get_by_label("Password", exact=True).fill("Long-sturdy-pass-2026")
    page.get_by_label("Password (again)").fill("Long-sturdy-pass-2026")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Confirm your email")).to_be_visible()

    # 2. Follow the link from the captured mail.
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(base + "/accounts/" + link.split("/accounts/", 1)[1])
    page.get_by_role("button", name="Confirm").click()

    # 3. Log in.
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username or email").fill("ines_draws")
    page.get_by_label("Password", exact=True).fill("Long-sturdy-pass-2026")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Profile")).to_be_visible()

    # 4. Edit the profile, including fields of work and the status.
    page.goto(f"{base}/settings/profile")
    page.get_by_label("Display name").fill("Inês Duarte")
    page.get_by_label("Bio").fill("Botanical illustrator. Portfolio: https://example.com/ines")
    page.get_by_label("Pronouns").fill("she/her")
    page.get_by_label("Location").fill("Coimbra")
    page.get_by_label("Illustration").check()
    page.get_by_label("Printmaking").check()
    page.get_by_label("Status").select_option(label="Open for commissions")
    page.get_by_label("Links").fill("https://www.example.org/shop")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_role("heading", name="Inês Duarte")).to_be_visible()

    # 5. The public profile, logged out.
    page.context.clear_cookies()
    page.goto(f"{base}/@ines_draws")
    expect(page.get_by_role("heading", name="Inês Duarte")).to_be_visible()
    expect(page.get_by_text("Open for commissions")).to_be_visible()
    expect(page.get_by_text("Illustration", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="example.org")).to_be_visible()
    expect(page.get_by_role("link", name="https://example.com/ines")).to_be_visible()
    expect(page.get_by_role("link", name="Edit profile")).to_have_count(0)


def test_xss_in_bio_is_shown_as_text_and_never_runs(page: Page, live_server, make_user):
    from kiln.accounts.services import profile_update

    user = make_user("mallory")
    payload = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
    profile_update(
        user=user,
        display_name='"><svg onload="window.__pwned=3">',
        bio=payload,
        pronouns="",
        location="",
        fields_of_work=[],
        status="unavailable",
        links=[],
    )
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{live_server.url}/@mallory")
    expect(page.locator(".bio")).to_contain_text("<script>window.__pwned=2</script>")
    assert page.evaluate("window.__pwned === undefined")
    assert page.locator(".bio img, .bio script, svg[onload]").count() == 0
    assert dialogs == []
