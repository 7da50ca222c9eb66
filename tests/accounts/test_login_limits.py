"""Login limits that cannot be turned against the owner (issue 25.4): per address, per account
and address, the account as a whole slowed rather than refused, known devices always in, the
admin behind the same login, and confirmation emails limited per mail domain."""

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail

import kiln.accounts.login_limits as login_limits

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
PASSWORD = "pw-Kiln-2026"


@pytest.fixture
def now(monkeypatch):
    clock = [1_800_000_000.0]
    monkeypatch.setattr(login_limits, "clock", lambda: clock[0])
    return clock


def attempt(client, login, password, ip="192.0.2.1"):
    response = client.post(LOGIN, {"login": login, "password": password}, REMOTE_ADDR=ip)
    return response, "_auth_user_id" in client.session


def test_a_hundred_addresses_guessing_cannot_lock_the_owner_out(client, make_user, now):
    make_user("owner")
    for i in range(100):
        attempt(client, "owner", f"guess-{i}", ip=f"198.51.{i // 200}.{i % 200 + 1}")
    response, signed_in = attempt(client, "owner", PASSWORD, ip="203.0.113.5")
    assert signed_in, response.content.decode()[:500]


def test_one_address_is_locked_across_accounts(client, make_user, now):
    for name in ("a1", "a2", "a3"):
        make_user(name)
    for i in range(10):
        attempt(client, ("a1", "a2", "a3")[i % 3], "wrong")
    response, signed_in = attempt(client, "a1", PASSWORD)
    assert not signed_in and "Too many failed login attempts" in response.content.decode()
    assert attempt(client, "a1", PASSWORD, ip="192.0.2.2")[1]  # another address is fine


def test_an_account_and_address_pair_is_locked_but_not_the_account(client, make_user, now):
    make_user("target")
    for _ in range(5):
        attempt(client, "target", "wrong")
    response, signed_in = attempt(client, "target", PASSWORD)
    assert not signed_in and "Too many failed login attempts" in response.content.decode()
    assert attempt(client, "target", PASSWORD, ip="192.0.2.77")[1]


def test_an_account_under_attack_is_slowed_not_refused(client, make_user, now):
    make_user("popular")
    for i in range(20):
        attempt(client, "popular", "wrong", ip=f"198.51.100.{i + 1}")
    first, _ = attempt(client, "popular", "wrong", ip="203.0.113.9")
    assert (
        "Too many" not in first.content.decode() and "once a minute" not in first.content.decode()
    )
    second, signed_in = attempt(client, "popular", PASSWORD, ip="203.0.113.9")
    assert not signed_in and "once a minute" in second.content.decode()
    wait = int(re.search(r"Try again in (\d+) seconds", second.content.decode()).group(1))
    assert 1 <= wait <= 120
    now[0] += wait
    assert attempt(client, "popular", PASSWORD, ip="203.0.113.9")[1]


def _enable_totp(client, username) -> str:
    client.post(LOGIN, {"login": username, "password": PASSWORD})
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/").content.decode()
    secret = re.search(r"\b([A-Z2-7]{32})\b", page).group(1)
    client.post("/accounts/2fa/totp/activate/", {"code": _code(secret)})
    assert Authenticator.objects.filter(type=Authenticator.Type.TOTP).exists()
    return secret


def _code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _second_factor(index: int) -> str:
    """A recovery code (the TOTP code used at enrolment cannot be used again within 30 s)."""
    recovery = Authenticator.objects.get(type=Authenticator.Type.RECOVERY_CODES)
    return recovery.wrap().get_unused_codes()[index]


def test_a_known_device_with_password_and_second_factor_always_gets_in(client, make_user, now):
    make_user("artist")
    _enable_totp(client, "artist")
    client.logout()
    # A full login (password, then the code) marks this browser as a known device.
    client.post(LOGIN, {"login": "artist", "password": PASSWORD}, REMOTE_ADDR="192.0.2.1")
    client.post("/accounts/2fa/authenticate/", {"code": _second_factor(0)}, REMOTE_ADDR="192.0.2.1")
    assert "_auth_user_id" in client.session
    device = client.cookies[login_limits.DEVICE_COOKIE].value
    client.logout()
    # An attacker exhausts every limit: the shared address, the pair, the whole account.
    for i in range(30):
        attempt(client, "artist", "wrong", ip="192.0.2.1")
        attempt(client, "artist", "wrong", ip=f"198.51.100.{i + 1}")
    assert "Too many" in attempt(client, "artist", PASSWORD, ip="192.0.2.1")[0].content.decode()
    client.cookies[login_limits.DEVICE_COOKIE] = device
    response = client.post(
        LOGIN, {"login": "artist", "password": PASSWORD}, REMOTE_ADDR="192.0.2.1"
    )
    assert response["Location"] == "/accounts/2fa/authenticate/"
    client.post("/accounts/2fa/authenticate/", {"code": _second_factor(0)}, REMOTE_ADDR="192.0.2.1")
    assert "_auth_user_id" in client.session


@pytest.mark.parametrize("cookie", ["garbage", "", "x" * 5000])
def test_a_forged_device_cookie_skips_nothing(client, make_user, now, cookie):
    make_user("target")
    for _ in range(5):
        attempt(client, "target", "wrong")
    client.cookies[login_limits.DEVICE_COOKIE] = cookie
    assert not attempt(client, "target", PASSWORD)[1]


def test_a_device_cookie_of_another_account_skips_nothing(client, make_user, now):
    make_user("mine")
    make_user("target")
    assert attempt(client, "mine", PASSWORD)[1]  # this browser is a known device of "mine"
    client.logout()
    for _ in range(5):
        attempt(client, "target", "wrong")
    assert not attempt(client, "target", PASSWORD)[1]
    assert attempt(client, "mine", PASSWORD)[1]


def test_a_huge_login_name_is_refused_cleanly(client, now):
    response, signed_in = attempt(client, "x" * 100_000, "wrong")
    assert response.status_code == 200 and not signed_in


def test_the_admin_login_goes_through_the_same_limits(client, admin_user, settings, now):
    admin_login = f"/{settings.KILN_ADMIN_PATH}/login/"
    response = client.get(admin_login)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    # The admin's form no longer checks passwords itself: 100 posts, not one is tried.
    for i in range(100):
        client.post(admin_login, {"username": "admin", "password": f"guess-{i}"})
    assert "_auth_user_id" not in client.session
    for _ in range(5):
        attempt(client, "admin", "wrong")
    response, signed_in = attempt(client, "admin", "password")  # admin_user's real password
    assert not signed_in and "Too many failed login attempts" in response.content.decode()


def test_confirmation_emails_are_limited_per_mail_domain(client, settings, now):
    settings.KILN_VERIFICATION_EMAILS_PER_DOMAIN_HOUR = 3
    for i in range(5):
        client.post(
            "/accounts/signup/",
            {
                "username": f"flood{i}",
                "email": f"flood{i}@Mail.Example",
                "password1": "Sturdy-pass-2026",
                "password2": "Sturdy-pass-2026",
            },
            REMOTE_ADDR=f"198.51.100.{i + 1}",
        )
        client.logout()
    assert len(mail.outbox) == 3
    client.post(
        "/accounts/signup/",
        {
            "username": "elsewhere",
            "email": "someone@other.example",
            "password1": "Sturdy-pass-2026",
            "password2": "Sturdy-pass-2026",
        },
    )
    assert len(mail.outbox) == 4
