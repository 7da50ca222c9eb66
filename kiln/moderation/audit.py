"""Writing the audit log: every staff write calls this inside its own transaction."""

from .models import AuditEntry


def audit_record(
    *, actor, verb: str, target_kind="", target_id=None, account_id=None, category="", reason=""
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor,
        verb=verb,
        target_kind=target_kind,
        target_id=target_id,
        account_id=account_id,
        category=category,
        reason=reason,
    )
