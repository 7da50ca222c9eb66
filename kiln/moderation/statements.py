"""The statement of reasons by email, with a signed appeal link: a suspended account can't
sign in to Settings → Account status, yet must be able to seek redress (DSA Art. 17, 20)."""

from __future__ import annotations

from django.conf import settings
from django.core import signing

from kiln.core.mail import send_branded

from .models import Action

SALT = "kiln.moderation.appeal"
LINK_MAX_AGE = 60 * 60 * 24 * 180  # six months, as the DSA's appeal window


def appeal_token(action: Action) -> str:
    return signing.dumps({"action": action.pk, "account": action.account_id}, salt=SALT)


def action_from_token(token: str) -> Action | None:
    try:
        data = signing.loads(token, salt=SALT, max_age=LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    return (
        Action.objects.select_related("account", "rule")
        .filter(pk=data.get("action"), account_id=data.get("account"))
        .first()
    )


def statement_mail(action: Action) -> None:
    """Email the affected account its statement of reasons (after commit)."""
    if not action.account.email:
        return
    link = f"{settings.KILN_SITE_URL}/appeal/{appeal_token(action)}"
    rule = action.rule.title if action.rule else "—"
    send_branded(
        subject=f"Moderation: {action.get_kind_display()}",
        text=f"Hello @{action.account.username},\n\n"
        f"Decision: {action.get_kind_display()} ({action.get_target_kind_display().lower()} "
        f"{action.target_id}).\nFacts: {action.facts}\nRule: {rule}\n"
        "A moderator took this decision; no part of it was automated.\n\n"
        f"To appeal (a different moderator will review it), open {link}\n"
        "You may also turn to a certified out-of-court dispute settlement body or a court.\n",
        to=[action.account.email],
    )
