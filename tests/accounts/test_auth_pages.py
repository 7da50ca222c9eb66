"""allauth's pages in Kiln's own templates: Kiln's base (navigation, stylesheet), Kiln's wording,
labelled fields and styled buttons; nothing of allauth's stock look or words."""

import re

import pytest
from django.core import mail

pytestmark = pytest.mark.django_db

STOCK_WORDS = ["Sign In", "Sign Up", "Sign Out", "Email Addresses", "Password Reset", "Signup"]


def assert_kiln_page(html: str, heading: str):
    assert 'id="main"' in html and "kiln.css" in html  # Kiln's base, not allauth's layout
    assert re.search(rf"<h1>\s*{re.escape(heading)}\s*</h1>", html), heading
    for words in STOCK_WORDS:
        assert words not in html, words
    assert "<p><label" not in html  # allauth's stock as_p rendering
    for field in re.findall(r'<input type="(?:text|email|password)"[^>]*id="([^"]+)"', html):
        assert f'<label for="{field}"' in html, f"{field} has a visible label"


@pytest.mark.parametrize(
    "url, heading",
    [
        ("/accounts/login/", "Log in to Kiln"),
        ("/accounts/signup/", "Join Kiln"),
        ("/accounts/password/reset/", "Reset your password"),
        ("/accounts/password/reset/done/", "Check your email"),
        ("/accounts/confirm-email/not-a-key/", "Confirm your email"),
    ],
)
def test_entrance_pages(client, url, heading):
    response = client.get(url)
    assert response.status_code == 200
    assert_kiln_page(response.content.decode(), heading)


def test_login_has_the_primary_button_and_a_reset_link(client):
    html = client.get("/accounts/login/").content.decode()
    assert re.search(
        r'<button class="button button-primary"[^>]*type="submit">Log in</button>', html
    )
    assert 'href="/accounts/password/reset/"' in html


def test_signup_errors_show_by_their_fields(client):
    response = client.post(
        "/accounts/signup/",
        {"username": "x", "email": "not-an-email", "password1": "a", "password2": "b"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.count('class="field-error"') >= 2
    assert 'class="field has-error"' in html


def test_logged_in_pages(client, make_user):
    ana = make_user("ana")
    client.force_login(ana)
    assert_kiln_page(client.get("/accounts/logout/").content.decode(), "Log out")
    client.post("/accounts/reauthenticate/", {"password": "pw-Kiln-2026"})
    html = client.get("/accounts/email/").content.decode()
    assert_kiln_page(html, "Email")
    assert "ana@example.com" in html and 'style="' not in html


def test_reset_from_key_and_a_used_link(client, make_user):
    make_user("forgetful")
    client.post("/accounts/password/reset/", {"email": "forgetful@example.com"})
    path = re.search(r"https?://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    response = client.get(path.group(1), follow=True)
    assert_kiln_page(response.content.decode(), "Choose a new password")
    bad = client.get("/accounts/password/reset/key/1-bad-key/", follow=True).content.decode()
    assert_kiln_page(bad, "That link has expired")
