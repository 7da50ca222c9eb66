"""Legal holds: staff keep an account's data past its deletion for a legal claim or
obligation (GDPR Art. 17(3)(b)/(e); docs/decisions.md, "Leaving Kiln").

Placing and lifting are staff writes: each needs a reason and leaves an audit entry in the
same transaction. The purge (kiln.transfer, above this app) reads the hold and reports back
through `legal_hold_deletion_waiting`. Nothing here tells the account itself.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kiln.accounts.models import User

from .access import require_moderator
from .audit import audit_record
from .models import LegalHold

MAX_REASON = 2000


def _reason(value: str, *, missing: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(missing)
    if len(value) > MAX_REASON:
        raise ValidationError(f"Keep it under {MAX_REASON} characters (this is {len(value)}).")
    return value


def legal_hold_place(*, moderator, account: User, reason: str) -> LegalHold:
    require_moderator(moderator)
    reason = _reason(reason, missing="Give the legal reason for the hold.")
    if account.pk == moderator.pk:
        raise ValidationError("Another member of staff must place a hold on your account.")
    try:
        with transaction.atomic():
            hold = LegalHold.objects.create(account=account, reason=reason, placed_by=moderator)
            audit_record(
                actor=moderator,
                verb="legal_hold.place",
                target_kind="account",
                target_id=account.pk,
                account_id=account.pk,
                reason=reason,
            )
    except IntegrityError:  # the partial unique index: one active hold per account
        raise ValidationError(f"@{account.username} is already under a legal hold.") from None
    return hold


def legal_hold_lift(*, moderator, hold: LegalHold, reason: str) -> LegalHold:
    require_moderator(moderator)
    reason = _reason(reason, missing="Say why the hold is lifted.")
    with transaction.atomic():
        locked = LegalHold.objects.select_for_update().get(pk=hold.pk)
        if locked.lifted_at is not None:
            raise ValidationError("This hold was already lifted.")
        locked.lifted_at = timezone.now()
        locked.lifted_by = moderator
        locked.lift_reason = reason
        locked.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
        audit_record(
            actor=moderator,
            verb="legal_hold.lift",
            target_kind="account",
            target_id=locked.account_id,
            account_id=locked.account_id,
            reason=reason,
        )
    return locked


def legal_hold_deletion_waiting(*, account_id: int, now=None) -> None:
    """Called by the purge when the account's deletion is due but stops for its hold."""
    LegalHold.objects.filter(
        account_id=account_id, lifted_at__isnull=True, deletion_waiting_since__isnull=True
    ).update(deletion_waiting_since=now or timezone.now())
