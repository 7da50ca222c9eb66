"""TOTP two-factor with recovery codes, and password reset, through allauth's real views."""

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail

pytestmark = pytest.mark.django_db


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_totp_enrolment_then_login_needs_the_code(client, make_user):
    make_user("secure")
    client.post("/accounts/login/", {"login": "secure", "password": "pw-Kiln-2026"})
    # Security-sensitive settings ask for the password again first.
    client.post("/accounts/reauthenticate/", {"password": "pw-Kiln-2026"})
    page = client.get("/accounts/2fa/totp/activate/").content.decode()
    secret = re.search(r"\b([A-Z2-7]{32})\b", page).group(1)
    response = client.post("/accounts/2fa/totp/activate/", {"code": current_code(secret)})
    assert response.status_code == 302
    types = set(Authenticator.objects.values_list("type", flat=True))
    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}

    client.logout()
    response = client.post("/accounts/login/", {"login": "secure", "password": "pw-Kiln-2026"})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    # A recovery code works once in place of the authenticator app.
    recovery = Authenticator.objects.get(type=Authenticator.Type.RECOVERY_CODES)
    code = recovery.wrap().get_unused_codes()[0]
    client.post("/accounts/2fa/authenticate/", {"code": code})
    assert "_auth_user_id" in client.session


def test_password_reset_by_mail(client, make_user):
    make_user("forgetful")
    client.post("/accounts/password/reset/", {"email": "forgetful@example.com"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    response = client.get(link.group(1), follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link.group(1)
    response = client.post(
        form_url, {"password1": "A-new-sturdy-pass-1", "password2": "A-new-sturdy-pass-1"}
    )
    assert response.status_code == 302
    assert client.login(username="forgetful", password="A-new-sturdy-pass-1")


def test_password_reset_for_unknown_email_reveals_nothing(client):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302
