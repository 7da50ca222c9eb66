"""The honeypot (issue 16.1): it bans one client (address + user agent) for a short while, only
when the trap was followed from Kiln's own pages or typed in, never a signed-in account; admins
see each ban and lift it with one click."""

import pytest

from kiln.shield.models import HoneypotBan, RefusalTally
from kiln.shield.refusals import refusal_tally_flush

IMAGE = "/media/r/1-0123456789abcdef0123/" + "a" * 40 + ".webp"
TRAP = "/archive/originals/"
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


@pytest.fixture
def trap(client, django_capture_on_commit_callbacks):
    """Follow the trap with these headers; the ban reaches the store on commit."""

    def follow(**headers):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.get(TRAP, **headers)
        assert response.status_code == 403
        return response

    return follow


def image_status(client, user_agent=CHROME, **extra) -> int:
    return client.get(IMAGE, HTTP_USER_AGENT=user_agent, **extra).status_code


def tally(reason: str) -> int:
    refusal_tally_flush()
    row = RefusalTally.objects.filter(reason=reason).first()
    return row.count if row else 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [
        # Chromium following the hidden link on a Kiln page, and a URL typed in.
        {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_SEC_FETCH_MODE": "navigate"},
        {"HTTP_SEC_FETCH_SITE": "none", "HTTP_SEC_FETCH_MODE": "navigate"},
        # Scrapers send no Sec-Fetch headers: a Referer from Kiln itself, or none at all.
        {"HTTP_REFERER": "http://testserver/@ana"},
        {},
    ],
)
def test_following_the_trap_from_kiln_bans_that_client(client, trap, headers):
    assert image_status(client) != 403
    trap(HTTP_USER_AGENT=CHROME, **headers)
    assert image_status(client) == 403
    ban = HoneypotBan.objects.get()
    assert ban.client == "127.0.0.1" and ban.user_agent == CHROME
    assert tally(RefusalTally.Reason.HONEYPOT_HIT) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [
        # <img src="https://kiln.example/archive/originals/"> on another site.
        {
            "HTTP_SEC_FETCH_SITE": "cross-site",
            "HTTP_SEC_FETCH_MODE": "no-cors",
            "HTTP_SEC_FETCH_DEST": "image",
        },
        # A link to the trap on another site, clicked.
        {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_SEC_FETCH_MODE": "navigate"},
        # An image or fetch from a Kiln page is not a navigation either.
        {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_SEC_FETCH_MODE": "no-cors"},
        # Older browsers: only a Referer from another site.
        {"HTTP_REFERER": "https://elsewhere.example/forum/thread"},
        {"HTTP_REFERER": "not a url at all ::::"},
    ],
)
def test_a_request_another_site_caused_bans_nobody(client, trap, headers):
    trap(HTTP_USER_AGENT=CHROME, **headers)
    assert image_status(client) != 403
    assert not HoneypotBan.objects.exists()
    assert tally(RefusalTally.Reason.HONEYPOT_IGNORED) == 1
    assert tally(RefusalTally.Reason.HONEYPOT_HIT) == 0


@pytest.mark.django_db
def test_another_browser_on_the_same_address_keeps_its_images(client, trap):
    trap(HTTP_USER_AGENT=CHROME)
    assert image_status(client, CHROME) == 403
    assert image_status(client, FIREFOX) != 403  # same NAT, another person
    assert image_status(client, CHROME, REMOTE_ADDR="192.0.2.50") != 403


@pytest.mark.django_db
def test_a_ban_is_short_by_default_and_ends_on_its_own(client, trap, monkeypatch):
    import kiln.shield.ratelimit as ratelimit

    now = [1_800_000_000.0]
    monkeypatch.setattr(ratelimit, "clock", lambda: now[0])
    trap(HTTP_USER_AGENT=CHROME)
    ban = HoneypotBan.objects.get()
    assert 3590 <= (ban.expires_at - ban.created_at).total_seconds() <= 3610  # 1 h default
    now[0] += 3599
    assert image_status(client) == 403
    now[0] += 2
    assert image_status(client) != 403


@pytest.mark.django_db
def test_the_ban_length_is_configurable_and_zero_turns_bans_off(client, trap, settings):
    settings.KILN_HONEYPOT_BAN_SECONDS = 0
    trap(HTTP_USER_AGENT=CHROME)
    assert image_status(client) != 403 and not HoneypotBan.objects.exists()
    settings.KILN_HONEYPOT_BAN_SECONDS = 120
    trap(HTTP_USER_AGENT=CHROME)
    ban = HoneypotBan.objects.get()
    assert 110 <= (ban.expires_at - ban.created_at).total_seconds() <= 130


@pytest.mark.django_db
def test_following_the_trap_again_extends_the_one_ban(client, trap):
    trap(HTTP_USER_AGENT=CHROME)
    trap(HTTP_USER_AGENT=CHROME)
    assert HoneypotBan.objects.count() == 1


@pytest.mark.django_db
def test_a_ban_needs_positive_seconds():
    from kiln.shield.services import honeypot_ban_create

    with pytest.raises(ValueError):
        honeypot_ban_create(client_key="192.0.2.1", user_agent=CHROME, seconds=0)
    assert not HoneypotBan.objects.exists()


# --- admin ---------------------------------------------------------------------------------


def changelist(settings) -> str:
    return f"/{settings.KILN_ADMIN_PATH}/shield/honeypotban/"


@pytest.mark.django_db
def test_admins_see_the_ban_and_lift_it_with_one_click(
    client, trap, admin_user, settings, django_capture_on_commit_callbacks
):
    trap(HTTP_USER_AGENT=CHROME)
    ban = HoneypotBan.objects.get()
    client.force_login(admin_user)
    html = client.get(changelist(settings)).content.decode()
    assert "127.0.0.1" in html and "active" in html
    lift_url = f"{changelist(settings)}{ban.pk}/lift/"
    assert f'formaction="{lift_url}"' in html
    client.logout()
    assert image_status(client) == 403
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(lift_url)
    assert response.status_code == 302
    ban.refresh_from_db()
    assert ban.lifted_at is not None and ban.lifted_by == admin_user
    client.logout()
    assert image_status(client) != 403
    client.force_login(admin_user)
    html = client.get(changelist(settings) + "?state=active").content.decode()
    assert "0 honeypot bans" in html or "127.0.0.1" not in html


@pytest.mark.django_db
def test_only_staff_with_the_right_can_lift_a_ban(client, trap, settings, make_user, admin_user):

    trap(HTTP_USER_AGENT=CHROME)
    ban = HoneypotBan.objects.get()
    lift_url = f"{changelist(settings)}{ban.pk}/lift/"
    assert client.post(lift_url).status_code == 302  # anonymous: to the admin login
    visitor = make_user("visitor")
    client.force_login(visitor)
    assert client.post(lift_url).status_code == 302  # not staff: to the admin login
    visitor.is_staff = True
    visitor.save()
    assert client.post(lift_url).status_code == 403  # staff without the change right
    ban.refresh_from_db()
    assert ban.lifted_at is None
    client.force_login(admin_user)
    assert client.get(lift_url).status_code == 405  # a GET changes nothing
    assert client.post(f"{changelist(settings)}999999/lift/").status_code == 404
    ban.refresh_from_db()
    assert ban.lifted_at is None


@pytest.mark.django_db
def test_the_protection_page_states_the_ban_and_its_limits(client, settings):
    html = client.get("/protection").content.decode()
    assert "60 minutes" in html and "signed-in people are never banned" in html
    assert "claims to come from another website is never banned" in html
    settings.KILN_HONEYPOT_BAN_SECONDS = 600
    assert "10 minutes" in client.get("/protection").content.decode()
