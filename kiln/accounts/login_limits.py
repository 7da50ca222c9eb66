"""Login limits that an attacker cannot turn against the account's owner (issue 25.4).

Password checks are counted in the store every process shares (kiln/core/limits.py):
- per client address (KILN_LOGIN_PER_IP, default 10 a minute), whatever account it tries;
- per account and address (KILN_LOGIN_PER_ACCOUNT_IP, default 5 in 5 minutes): the lock that
  used to be per account, so 100 addresses guessing one account no longer lock its owner out;
- per account from everywhere (KILN_LOGIN_ACCOUNT_SLOWDOWN, default 20 in 15 minutes): past it
  the account is slowed, not refused: each address may try it once a minute
  (KILN_LOGIN_SLOW_SECONDS);
- a known device (a signed cookie from an earlier successful login, second factor included)
  skips the three above and has its own budget (KILN_LOGIN_PER_DEVICE, 10 in 15 minutes), so a
  correct password and second factor from it always get in.
"""

import secrets
import time

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Q

from kiln.core.limits import limit_hit

clock = time.time  # tests move it
DEVICE_COOKIE = "kiln_device"
DEVICE_SALT = "kiln.accounts.known-device"
DEVICE_MAX_AGE = 365 * 24 * 3600
DEFAULTS = {
    "KILN_LOGIN_PER_IP": (10, 60),
    "KILN_LOGIN_PER_ACCOUNT_IP": (5, 300),
    "KILN_LOGIN_ACCOUNT_SLOWDOWN": (20, 900),
    "KILN_LOGIN_SLOW_SECONDS": 60,
    "KILN_LOGIN_PER_DEVICE": (10, 900),
    "KILN_VERIFICATION_EMAILS_PER_DOMAIN_HOUR": 30,
}
TOO_MANY = "Too many failed login attempts. Try again in {seconds} seconds."
SLOWED = (
    "Many sign-in attempts are being made on this account, so each device may try once a "
    "minute. Try again in {seconds} seconds. Devices you signed in from before are not slowed."
)


def login_setting(name: str):
    return getattr(settings, name, DEFAULTS[name])


def client_address(request) -> str:
    """The shield's client key (address or IPv6 /64, proxies resolved) when its middleware ran."""
    return getattr(request, "shield_client_key", "") or request.META.get("REMOTE_ADDR", "")


def _user_pk_for_login(login: str):
    from kiln.accounts.models import User

    return (
        User.objects.filter(Q(username__iexact=login) | Q(email__iexact=login))
        .values_list("pk", flat=True)
        .first()
    )


def known_device(request, login: str) -> str | None:
    """The device id when this browser's cookie was issued to the account named `login`."""
    value = request.COOKIES.get(DEVICE_COOKIE)
    if not value or not login:
        return None
    try:
        data = signing.loads(value, salt=DEVICE_SALT, max_age=DEVICE_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") is None:
        return None
    if _user_pk_for_login(login) != data["u"]:
        return None
    return str(data.get("d", ""))[:64] or None


def login_attempt_check(request, *, login: str) -> None:
    """Count one password check; raise ValidationError (changing nothing else) when refused."""
    login = (login or "").strip().lower()[:254]
    now = clock()
    device = known_device(request, login)
    if device is not None:
        amount, window = login_setting("KILN_LOGIN_PER_DEVICE")
        retry = limit_hit(key=f"login:device:{device}", limit=amount, window=window, now=now)
        if retry is not None:
            raise ValidationError(TOO_MANY.format(seconds=retry), code="too_many_login_attempts")
        return
    address = client_address(request)
    for key, setting in (
        (f"login:ip:{address}", "KILN_LOGIN_PER_IP"),
        (f"login:pair:{login}|{address}", "KILN_LOGIN_PER_ACCOUNT_IP"),
    ):
        amount, window = login_setting(setting)
        retry = limit_hit(key=key, limit=amount, window=window, now=now)
        if retry is not None:
            raise ValidationError(TOO_MANY.format(seconds=retry), code="too_many_login_attempts")
    amount, window = login_setting("KILN_LOGIN_ACCOUNT_SLOWDOWN")
    if limit_hit(key=f"login:account:{login}", limit=amount, window=window, now=now) is None:
        return
    # The account is under attack from many addresses: slow every address down, refuse none.
    pace = login_setting("KILN_LOGIN_SLOW_SECONDS")
    retry = limit_hit(key=f"login:slow:{login}|{address}", limit=1, window=pace, now=now)
    if retry is not None:
        raise ValidationError(SLOWED.format(seconds=retry), code="too_many_login_attempts")


def known_device_cookie_set(response, *, user) -> None:
    """Mark this browser as a known device of `user` (after a full login, second factor too)."""
    value = signing.dumps({"u": user.pk, "d": secrets.token_hex(8)}, salt=DEVICE_SALT)
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=DEVICE_MAX_AGE,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


def verification_email_allowed(email: str) -> bool:
    """At most KILN_VERIFICATION_EMAILS_PER_DOMAIN_HOUR confirmation emails an hour to one
    domain, so a sign-up flood from many addresses cannot make Kiln spam a mail server."""
    domain = email.rsplit("@", 1)[-1].strip().lower()[:253]
    amount = login_setting("KILN_VERIFICATION_EMAILS_PER_DOMAIN_HOUR")
    return limit_hit(key=f"verify-mail:{domain}", limit=amount, window=3600, now=clock()) is None
