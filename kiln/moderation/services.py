"""Moderation writes: reports, assignment, actions with statements of reasons, appeals.

Every staff write is atomic, leaves an AuditEntry in the same transaction, and notifies on
commit. Content is hidden, never wiped, so an appeal can restore it (kiln/moderation/targets.py).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from kiln.accounts.models import User
from kiln.core.access import AccessDenied
from kiln.core.mail import send_branded
from kiln.notifications.models import Notification
from kiln.notifications.services import notification_create
from kiln.provenance import services as provenance_services
from kiln.shield.ratelimit import rate_limit_hit

from . import targets
from .access import require_moderator
from .audit import audit_record
from .models import Action, Appeal, Case, Category, Report, Rule, TargetKind
from .sessions import sessions_revoke
from .statements import statement_mail

_audit = audit_record

MAX_EXTRA_ITEMS = 10


def _clean_text(value: str, *, limit: int, required: str | None = None) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(required)
    if len(value) > limit:
        raise ValidationError(f"Keep it under {limit} characters (this is {len(value)}).")
    return value


def _rate_limit(ident: str) -> None:
    limit = settings.KILN_MODERATION_REPORTS_PER_HOUR
    retry = rate_limit_hit(scope="report", ident=ident, limit=limit, window=3600)
    if retry is not None:
        minutes = max(1, retry // 60)
        raise ValidationError(f"Too many reports from you: try again in {minutes} min.")


def _extra_items(items, *, account_id: int) -> list[dict]:
    """More items from the same account, as [{"kind", "id"}]; anything else is refused."""
    cleaned, seen = [], set()
    for kind, pk in items or []:
        target = targets.load(kind, pk)
        if target.account.pk != account_id:
            raise ValidationError("Extra items must come from the same account.")
        if (target.kind, target.id) not in seen:
            seen.add((target.kind, target.id))
            cleaned.append({"kind": str(target.kind), "id": target.id})
    if len(cleaned) > MAX_EXTRA_ITEMS:
        raise ValidationError(f"Add at most {MAX_EXTRA_ITEMS} more items.")
    return cleaned


def report_create(
    *,
    reporter,
    target_kind: str,
    target_id,
    category: str,
    rule_ids=(),
    comment: str = "",
    extra_items=(),
    reporter_name: str = "",
    reporter_email: str = "",
    good_faith: bool = False,
    url: str = "",
    rate_ident: str = "",
) -> Report:
    """A member's report, or anyone's notice (reporter=None: DSA Art. 16 asks for reasons,
    contact details and a good-faith statement). Reports of an item with an open case join it."""
    member = reporter is not None and reporter.is_authenticated
    if category not in Category.values:
        raise ValidationError("Choose what's wrong.")
    target = targets.load(target_kind, target_id)
    if not targets.visible_to(target, reporter if member else None):
        raise ValidationError(f"That {TargetKind(target.kind).label.lower()} doesn't exist.")
    comment = _clean_text(comment, limit=2000)
    if member:
        if target.account.pk == reporter.pk:
            raise ValidationError("You can't report your own work or account.")
        reporter_name, reporter_email = "", ""
    else:
        comment = _clean_text(
            comment, limit=2000, required="Explain why this breaks the law or the rules."
        )
        reporter_name = _clean_text(reporter_name, limit=100, required="Give your name.")
        reporter_email = _clean_text(reporter_email, limit=254, required="Give your email.")
        validate_email(reporter_email)
        if not good_faith:
            raise ValidationError("Confirm that the notice is accurate and made in good faith.")
    rules = list(Rule.objects.filter(pk__in=[int(r) for r in rule_ids if str(r).isdigit()]))
    if len(rules) != len(set(rule_ids)):
        raise ValidationError("Pick rules from the list.")
    extras = _extra_items(extra_items, account_id=target.account.pk)
    _rate_limit(rate_ident or (f"user:{reporter.pk}" if member else "anonymous"))
    return _report_write(
        target=target,
        reporter=reporter if member else None,
        category=category,
        rules=rules,
        comment=comment,
        extras=extras,
        reporter_name=reporter_name,
        reporter_email=reporter_email,
        good_faith=good_faith or member,
        url=_clean_text(url, limit=500) or target.url,
    )


@transaction.atomic
def _report_write(*, target, reporter, category, rules, extras, **fields) -> Report:
    case = _open_case(target=target, category=category)
    if reporter is not None:
        # A second report of the same item by the same member merges into the first.
        existing = case.reports.filter(reporter=reporter).first()
        if existing is not None:
            return existing
    report = Report.objects.create(
        case=case, reporter=reporter, category=category, extra_items=extras, **fields
    )
    report.rules.set(rules)
    Case.objects.filter(pk=case.pk).update(reports_count=F("reports_count") + 1)
    _audit(
        actor=reporter,  # None for a public notice; the log is for admins only
        verb="report.create",
        target_kind=target.kind,
        target_id=target.id,
        account_id=target.account.pk,
        category=category,
        reason=fields.get("comment", "")[:200],
    )
    if report.reporter_email:
        transaction.on_commit(lambda: _mail_receipt(report))
    return report


def _open_case(*, target, category: str) -> Case:
    case = (
        Case.objects.select_for_update()
        .filter(target_kind=target.kind, target_id=target.id, state=Case.State.OPEN)
        .first()
    )
    if case is not None:
        return case
    try:
        with transaction.atomic():
            return Case.objects.create(
                target_kind=target.kind,
                target_id=target.id,
                account=target.account,
                category=category,
            )
    except IntegrityError:  # another report opened it meanwhile
        return Case.objects.select_for_update().get(
            target_kind=target.kind, target_id=target.id, state=Case.State.OPEN
        )


def _mail_receipt(report: Report) -> None:
    send_branded(
        subject="We received your notice",
        text=f"Hello {report.reporter_name},\n\n{settings.KILN_SITE_NAME} received your notice "
        f"about {report.url} (reference {report.pk}). A person on the moderation team will review "
        "it, and we will email you the decision and whether any part of it was automated.\n",
        to=[report.reporter_email],
    )


@transaction.atomic
def case_assign(*, moderator, case: Case, assignee=None) -> Case:
    """Assign a case to a moderator (yourself by default); assignee=False unassigns."""
    require_moderator(moderator)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if assignee is None:
        assignee = moderator
    if assignee is not False:
        require_moderator(assignee)
    case.assignee = assignee or None
    case.save(update_fields=["assignee"])
    _audit(
        actor=moderator,
        verb="case.assign" if case.assignee else "case.unassign",
        target_kind=case.target_kind,
        target_id=case.target_id,
        account_id=case.account_id,
        category=case.category,
        reason=f"to @{case.assignee.username}" if case.assignee else "",
    )
    return case


def _check_impartial(*, moderator, account_id: int, case: Case | None) -> None:
    if moderator.pk == account_id:
        raise AccessDenied("You can't act on your own account or work.")
    if case is not None and case.reports.filter(reporter=moderator).exists():
        raise AccessDenied("You reported this: another moderator must decide.")


@transaction.atomic
def action_take(
    *,
    moderator,
    kind: str,
    target_kind: str,
    target_id,
    facts: str,
    rule: Rule | None = None,
    case: Case | None = None,
) -> Action:
    """Dismiss, remove, mark as mature, limit, suspend or warn, with a statement of reasons."""
    require_moderator(moderator)
    if kind not in Action.Kind.values:
        raise ValidationError("Choose an action.")
    if case is not None:
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.state != Case.State.OPEN:
            raise ValidationError("This case has already been decided.")
        target_kind, target_id = case.target_kind, case.target_id
    target = targets.load(target_kind, target_id)
    _check_impartial(moderator=moderator, account_id=target.account.pk, case=case)
    facts = _clean_text(facts, limit=2000, required="Write the facts behind the decision.")
    if kind != Action.Kind.DISMISS and rule is None:
        raise ValidationError("Cite the rule that was broken.")
    account = User.objects.select_for_update().get(pk=target.account.pk)
    _apply(kind, target.kind, target.id, account, on=True)
    action = Action.objects.create(
        kind=kind,
        case=case,
        target_kind=target.kind,
        target_id=target.id,
        account=account,
        moderator=moderator,
        rule=rule,
        facts=facts,
    )
    _audit(
        actor=moderator,
        verb=f"action.{kind}",
        target_kind=target.kind,
        target_id=target.id,
        account_id=account.pk,
        category=case.category if case else "",
        reason=facts,
    )
    if case is not None:
        _case_resolve(case, outcome=action.get_kind_display(), moderator=moderator)
    if kind != Action.Kind.DISMISS:
        transaction.on_commit(lambda: statement_mail(action))
        notification_create(
            recipient_id=account.pk, actor=moderator, kind=Notification.Kind.MODERATION
        )
    return action


def _apply(kind: str, target_kind: str, target_id: int, account: User, *, on: bool) -> None:
    """Do (on=True) or undo (on=False) what an action does to the content or the account."""
    if kind == Action.Kind.REMOVE:
        targets.set_removed(target_kind, target_id, on)
    elif kind == Action.Kind.MATURE:
        targets.set_mature(target_kind, target_id, on)
    elif kind == Action.Kind.LIMIT:
        account.is_limited = on
        account.save(update_fields=["is_limited"])
    elif kind == Action.Kind.SUSPEND:
        # Inactive accounts are hidden everywhere and can't sign in; their content is kept.
        account.is_active = not on
        account.save(update_fields=["is_active"])
        if on:
            user_id = account.pk
            transaction.on_commit(lambda: sessions_revoke(user_id=user_id))


def _case_resolve(case: Case, *, outcome: str, moderator) -> None:
    case.state = Case.State.RESOLVED
    case.resolved_at = timezone.now()
    case.outcome = outcome
    case.save(update_fields=["state", "resolved_at", "outcome"])
    reports = list(case.reports.select_related("reporter"))
    # Reporters learn the outcome; members in their notifications, notifiers by email.
    for report in reports:
        if report.reporter_id:
            notification_create(
                recipient_id=report.reporter_id,
                actor=moderator,
                kind=Notification.Kind.REPORT_OUTCOME,
            )
    emails = [r for r in reports if r.reporter_email]
    if emails:
        transaction.on_commit(lambda: _mail_outcome(emails, outcome))


def _mail_outcome(reports: list[Report], outcome: str) -> None:
    for report in reports:
        send_branded(
            subject="The decision on your notice",
            text=f"Hello {report.reporter_name},\n\nWe reviewed your notice about {report.url} "
            f"(reference {report.pk}). Decision: {outcome}. A moderator took this decision; "
            "no part of it was automated.\n",
            to=[report.reporter_email],
        )


@transaction.atomic
def appeal_create(*, user, action: Action, message: str) -> Appeal:
    if not user.is_authenticated or action.account_id != user.pk:
        raise AccessDenied("Only the account a decision was about can appeal it.")
    if action.kind == Action.Kind.DISMISS or action.reversed_at is not None:
        raise ValidationError("There is nothing to appeal in this decision.")
    message = _clean_text(message, limit=2000, required="Tell the moderators why to reconsider.")
    if action.appeals.filter(state=Appeal.State.OPEN).exists():
        raise ValidationError("Your appeal of this decision is already waiting.")
    if action.appeals.exists():
        raise ValidationError("This decision was already reviewed on appeal.")
    appeal = Appeal.objects.create(action=action, author=user, message=message)
    _audit(
        actor=user,
        verb="appeal.create",
        target_kind=action.target_kind,
        target_id=action.target_id,
        account_id=action.account_id,
        reason=message[:200],
    )
    return appeal


@transaction.atomic
def appeal_decide(*, moderator, appeal: Appeal, reverse: bool, note: str = "") -> Appeal:
    """Another moderator decides; reversing undoes the action (restores content, lifts limits)."""
    require_moderator(moderator)
    appeal = Appeal.objects.select_for_update().select_related("action").get(pk=appeal.pk)
    action = appeal.action
    if appeal.state != Appeal.State.OPEN:
        raise ValidationError("This appeal has already been decided.")
    if action.moderator_id == moderator.pk:
        raise AccessDenied("A moderator who did not take the decision must review the appeal.")
    _check_impartial(moderator=moderator, account_id=action.account_id, case=action.case)
    note = _clean_text(note, limit=500)
    now = timezone.now()
    appeal.state = Appeal.State.REVERSED if reverse else Appeal.State.UPHELD
    appeal.decided_by, appeal.decided_at, appeal.note = moderator, now, note
    appeal.save(update_fields=["state", "decided_by", "decided_at", "note"])
    if reverse:
        account = User.objects.select_for_update().get(pk=action.account_id)
        _apply(action.kind, action.target_kind, action.target_id, account, on=False)
        action.reversed_at = now
        action.save(update_fields=["reversed_at"])
    _audit(
        actor=moderator,
        verb="appeal.reverse" if reverse else "appeal.uphold",
        target_kind=action.target_kind,
        target_id=action.target_id,
        account_id=action.account_id,
        category=action.case.category if action.case_id else "",
        reason=note or appeal.message[:200],
    )
    notification_create(
        recipient_id=appeal.author_id, actor=moderator, kind=Notification.Kind.MODERATION
    )
    return appeal


# --- provenance's holds and takedowns, decided from the one queue ---------------------------


@transaction.atomic
def provenance_appeal_decide(*, moderator, appeal, accept: bool, note: str = ""):
    """Release an AI hold or keep it (provenance's service), audit-logged here."""
    require_moderator(moderator)
    asset = appeal.screening.asset
    if asset.owner_id == moderator.pk:
        raise AccessDenied("You can't decide on your own work.")
    appeal = provenance_services.appeal_decide(
        staff=moderator, appeal=appeal, accept=accept, note=note
    )
    _audit(
        actor=moderator,
        verb="ai_hold.release" if accept else "ai_hold.keep",
        target_kind="image",
        target_id=asset.pk,
        account_id=asset.owner_id,
        category="ai",
        reason=note or appeal.message[:200],
    )
    return appeal


@transaction.atomic
def provenance_takedown_decide(*, moderator, takedown, remove: bool):
    require_moderator(moderator)
    upload = takedown.match.upload
    if moderator.pk in (upload.owner_id, takedown.requested_by_id):
        raise AccessDenied("You can't decide on your own work or your own request.")
    takedown = provenance_services.takedown_decide(
        staff=moderator, takedown=takedown, remove=remove
    )
    _audit(
        actor=moderator,
        verb="takedown.remove" if remove else "takedown.refuse",
        target_kind="image",
        target_id=upload.pk,
        account_id=upload.owner_id,
        category="stolen",
        reason=takedown.message[:200],
    )
    return takedown
