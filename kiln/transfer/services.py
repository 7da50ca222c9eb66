"""Writes for leaving: deactivate, schedule deletion, come back, retire a username.

The purge itself (what happens after the grace period) is in `purge.py`; exports in
`export.py`.
"""

from datetime import timedelta

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kiln.accounts.models import User
from kiln.core.mail import send_branded, site_context
from kiln.transfer.models import AccountClosure, RetiredUsername


def grace_period() -> timedelta:
    return timedelta(days=settings.KILN_DELETION_GRACE_DAYS)


def check_password_and_code(*, user: User, password: str, code: str = "") -> None:
    """Raise unless `password` is the user's and, with two-factor on, `code` is a current
    TOTP or an unused recovery code."""
    if not password or not user.check_password(password):
        raise ValidationError("That is not your password.")
    authenticators = {a.type: a for a in Authenticator.objects.filter(user=user)}
    if Authenticator.Type.TOTP not in authenticators:
        return
    code = (code or "").strip().replace(" ", "")
    if not code:
        raise ValidationError("Enter the code from your authenticator app.")
    if TOTP(authenticators[Authenticator.Type.TOTP]).validate_code(code):
        return
    recovery = authenticators.get(Authenticator.Type.RECOVERY_CODES)
    if recovery is not None and RecoveryCodes(recovery).validate_code(code):
        return
    raise ValidationError("That code is not valid.")


@transaction.atomic
def account_deactivate(*, user: User) -> AccountClosure:
    """Hide the profile and every work until the artist logs in again."""
    if AccountClosure.objects.filter(user=user).exclude(state="deactivated").exists():
        raise ValidationError("This account is already scheduled for deletion.")
    closure, _ = AccountClosure.objects.update_or_create(
        user=user, defaults={"state": AccountClosure.State.DEACTIVATED, "purge_after": None}
    )
    User.objects.filter(pk=user.pk).update(is_active=False)
    return closure


@transaction.atomic
def account_delete_request(
    *, user: User, password: str, code: str = "", now=None
) -> AccountClosure:
    """Schedule the account's deletion after the grace period; hidden from now on."""
    check_password_and_code(user=user, password=password, code=code)
    now = now or timezone.now()
    closure, _ = AccountClosure.objects.update_or_create(
        user=user,
        defaults={"state": AccountClosure.State.PENDING, "purge_after": now + grace_period()},
    )
    User.objects.filter(pk=user.pk).update(is_active=False)
    if user.email:
        transaction.on_commit(lambda: _mail_deletion_scheduled(user, closure.purge_after))
    return closure


def _mail_deletion_scheduled(user: User, purge_after) -> None:
    send_branded(
        subject="Your account will be deleted",
        text=f"Hello @{user.username},\n\nYour account is hidden from now on and will be "
        f"deleted for good on {purge_after:%-d %B %Y}, with your originals, renditions, posts "
        "and projects.\n\nChanged your mind? Log in before then and you will be offered to "
        f"cancel the deletion: {site_context()['site_url']}/accounts/login/\n\n"
        "If you didn't ask for this, log in and cancel, then change your password.",
        to=[user.email],
    )


@transaction.atomic
def account_reactivate(*, user: User) -> bool:
    """Undo a deactivation or a scheduled deletion (not one already running or held)."""
    closure = AccountClosure.objects.select_for_update().filter(user=user).first()
    if closure is None or closure.state in (
        AccountClosure.State.PURGING,
        AccountClosure.State.HELD,
    ):
        return False
    closure.delete()
    User.objects.filter(pk=user.pk).update(is_active=True)
    user.is_active = True
    return True


def closure_of(user) -> AccountClosure | None:
    if user is None or user.pk is None:
        return None
    return AccountClosure.objects.filter(user_id=user.pk).first()


def username_is_retired(username: str, *, now=None) -> bool:
    now = now or timezone.now()
    return RetiredUsername.objects.filter(username=username.lower(), until__gt=now).exists()
