import io
import re

import pytest
from django.core import mail
from django.urls import reverse

from kiln.accounts.models import User

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"


def signup(client, username="newartist", email="new@example.com", password="Sturdy-pass-2026"):
    return client.post(
        SIGNUP,
        {"username": username, "email": email, "password1": password, "password2": password},
    )


def test_signup_creates_user_profile_and_sends_verification_mail(client):
    response = signup(client)
    assert response.status_code == 302
    user = User.objects.get(username="newartist")
    assert user.profile.allow_search_indexing is True
    assert user.profile.allow_image_search is False
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    assert client.get(link.replace("http://testserver", "")).status_code == 200


def test_passwords_are_hashed_with_argon2_in_production_settings():
    from kiln import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("Admin", "reserved"),
        ("api", "reserved"),
        ("ab", "3"),
        ("x" * 31, "30"),
        ("bad name", "letters, digits or underscores"),
        ("<script>", "letters, digits or underscores"),
        ("émile", "letters, digits or underscores"),
    ],
)
def test_bad_usernames_are_refused_next_to_the_field(client, username, message):
    response = signup(client, username=username)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()


def test_usernames_and_emails_are_unique_ignoring_case(client, make_user):
    make_user("Mira")
    response = signup(client, username="mIRA", email="other@example.com")
    assert response.status_code == 200
    assert User.objects.count() == 1
    # A taken email is refused without saying so on the page (no account enumeration): no
    # second account exists, and the owner of the address is told by mail instead.
    mail.outbox.clear()
    signup(client, username="someoneelse", email="MIRA@EXAMPLE.COM")
    assert User.objects.count() == 1
    assert len(mail.outbox) == 1 and "already" in mail.outbox[0].body.lower()


def test_form_keeps_what_the_user_typed_on_error(client):
    response = signup(client, username="admin", email="kept@example.com")
    assert 'value="kept@example.com"' in response.content.decode()


def test_login_is_rate_limited(client, make_user):
    make_user("target")
    for _ in range(6):
        response = client.post(
            "/accounts/login/", {"login": "target", "password": "wrong-password"}
        )
    assert "Too many failed login attempts" in response.content.decode()
    # Even the right password is refused until the window passes.
    response = client.post("/accounts/login/", {"login": "target", "password": "pw-Kiln-2026"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_profile_page_shows_fields_and_escapes_html(client, make_user):
    user = make_user("painter")
    from kiln.accounts.services import profile_update

    profile_update(
        user=user,
        display_name="<b>Bold</b>",
        bio='<script>alert("x")</script> see https://example.com/gallery',
        pronouns="she/her",
        location="Porto",
        fields_of_work=["painting", "sculpture"],
        status="commissions",
        links=["https://www.example.org/shop"],
    )
    html = client.get("/@painter").content.decode()
    assert "&lt;script&gt;" in html and '<script>alert("x")' not in html
    assert "&lt;b&gt;Bold&lt;/b&gt;" in html
    assert 'href="https://example.com/gallery"' in html
    assert "Open for commissions" in html and "Painting" in html and "Sculpture" in html
    assert ">example.org<" in html


def test_profile_lookup_ignores_case_and_unknown_is_404(client, make_user):
    make_user("Kaito")
    assert client.get("/@kaito").status_code == 200
    assert client.get("/@nobody").status_code == 404
    assert client.get("/@kaito/notatab").status_code == 404


def test_profile_edit_validates_each_field(client, make_user):
    user = make_user("editor")
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile_edit"),
        {
            "display_name": "x" * 61,
            "bio": "b" * 501,
            "status": "bogus",
            "fields_of_work": ["not-a-field"],
            "links": "\n".join(f"https://e{i}.com" for i in range(6)),
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('class="field-error"') >= 5
    user.profile.refresh_from_db()
    assert user.profile.display_name == ""


def test_profile_edit_saves_and_rejects_non_images(client, make_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    user = make_user("uploader")
    client.force_login(user)
    fake = SimpleUploadedFile("me.png", b"<html><script>x</script></html>", "image/png")
    response = client.post(
        reverse("accounts:profile_edit"),
        {"display_name": "Up", "status": "work", "avatar": fake},
    )
    assert response.status_code == 200
    assert "not an image" in response.content.decode()
    user.profile.refresh_from_db()
    assert not user.profile.avatar


def test_ai_training_consent_cannot_be_switched_on(client, make_user):
    user = make_user("consent")
    client.force_login(user)
    page = client.get(reverse("accounts:privacy")).content.decode()
    assert "Always refused" in page
    response = client.post(
        reverse("accounts:privacy"),
        {"allow_image_search": "on", "allow_ai_training": "on"},
    )
    assert response.status_code == 302
    user.profile.refresh_from_db()
    assert user.profile.allow_image_search is True
    assert not hasattr(user.profile, "allow_ai_training")


def test_admin_lives_at_an_unguessable_path(client, settings):
    assert client.get("/admin/").status_code == 404
    assert len(settings.KILN_ADMIN_PATH) >= 16
    assert client.get(f"/{settings.KILN_ADMIN_PATH}/").status_code == 302


def test_pages_carry_security_headers(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"


def test_javascript_links_are_refused(client, make_user):
    user = make_user("linker")
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile_edit"),
        {"status": "work", "links": "javascript:alert(1)"},
    )
    assert response.status_code == 200
    assert "is not a web address" in response.content.decode()
    assert not user.profile.links.exists()


def test_seed_demo_is_idempotent(db):
    from django.core.management import call_command

    from kiln.accounts.demo import DEMO_ARTISTS

    call_command("seed_demo", "--artists-only", stdout=io.StringIO())
    call_command("seed_demo", "--artists-only", stdout=io.StringIO())
    assert User.objects.count() == len(DEMO_ARTISTS)
    mira = User.objects.get(username="mira")
    assert mira.check_password("kiln-demo-2026")
    assert mira.emailaddress_set.get().verified
    assert mira.profile.avatar and mira.profile.banner


def test_favicon_is_a_cheap_redirect(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
