"""Moderation reads: the queue, a case's evidence, a member's reports and statements, the
audit log and the transparency counts."""

from __future__ import annotations

from contextlib import suppress
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import timezone

from kiln.media.models import MediaAsset
from kiln.messages.models import Message
from kiln.portfolio.models import Project
from kiln.posts.models import Post
from kiln.provenance import selectors as provenance_selectors

from . import targets
from .models import Action, Appeal, AuditEntry, Case, Category, LegalHold, Report, Rule

QUEUE_TYPES = {
    "reports": "Reports",
    "appeals": "Appeals",
    "ai": "AI holds",
    "reposts": "Repost takedowns",
    "holds": "Legal holds",
}


def active_rules():
    return Rule.objects.filter(is_active=True)


def queue(*, types: str = "", state: str = "open", assignee: str = "", user=None) -> dict:
    """Everything staff must look at, in one place. Filters: type (one of QUEUE_TYPES, or all),
    state (open, resolved) and assignee ("me", "none", or all)."""
    show = {types} if types in QUEUE_TYPES else set(QUEUE_TYPES)
    result: dict = {key: [] for key in QUEUE_TYPES}
    if "reports" in show:
        cases = Case.objects.select_related("account", "assignee").order_by("-id")
        cases = cases.filter(state=Case.State.RESOLVED if state == "resolved" else Case.State.OPEN)
        if user is not None:  # cases about yourself are someone else's to see
            cases = cases.exclude(account=user)
        if assignee == "me" and user is not None:
            cases = cases.filter(assignee=user)
        elif assignee == "none":
            cases = cases.filter(assignee__isnull=True)
        result["reports"] = list(cases[:100])
    if "appeals" in show:
        appeals = Appeal.objects.select_related("action", "action__moderator", "author")
        appeals = appeals.filter(
            ~Q(state=Appeal.State.OPEN) if state == "resolved" else Q(state=Appeal.State.OPEN)
        )
        result["appeals"] = list(appeals.order_by("id")[:100])
    if state != "resolved" and show & {"ai", "reposts"}:
        provenance = provenance_selectors.review_queue()
        if "ai" in show:
            result["ai_appeals"] = list(provenance["appeals"])
            result["ai"] = list(provenance["holds"])
        if "reposts" in show:
            takedowns = list(provenance["takedowns"])
            for t in takedowns:
                t.upload_preview = provenance_selectors.preview_url(t.match.upload)
                t.original_preview = provenance_selectors.preview_url(t.match.original)
            result["reposts"] = takedowns
    if "holds" in show:
        result["holds"] = legal_holds(lifted=state == "resolved")
    return result


def case_evidence(case: Case) -> dict:
    """The reported item (with its images), the reports, screening findings and repost
    matches of its images, and the account's history of actions."""
    try:
        target = targets.load(case.target_kind, case.target_id)
    except ValidationError:  # the item may be gone; the case still shows
        target = None
    reports = list(case.reports.select_related("reporter").prefetch_related("rules"))
    extras = []
    for report in reports:
        for item in report.extra_items:
            with suppress(ValidationError):  # gone since
                extras.append(targets.load(item["kind"], item["id"]))
    asset_ids = target.asset_ids if target else []
    screenings = [
        s for s in (provenance_selectors.screening_for_asset(asset_id=a) for a in asset_ids) if s
    ]
    matches = []
    for asset_id in asset_ids:
        for m in provenance_selectors.repost_matches_for_upload(asset_id=asset_id):
            m.upload_preview = provenance_selectors.preview_url(m.upload)
            m.original_preview = provenance_selectors.preview_url(m.original)
            matches.append(m)
    return {
        "target": target,
        "previews": targets.previews(asset_ids),
        "reports": reports,
        "extras": extras,
        "screenings": screenings,
        "matches": matches,
        "history": list(
            Action.objects.filter(account_id=case.account_id)
            .select_related("rule")
            .order_by("-id")[:50]
        ),
    }


def reports_by(*, user):
    """A member's own reports and their cases' states and outcomes."""
    return Report.objects.filter(reporter=user).select_related("case").order_by("-id")[:100]


def statements_for(*, user):
    """The statements of reasons about this account (Settings → Account status)."""
    return (
        Action.objects.filter(account=user)
        .exclude(kind=Action.Kind.DISMISS)
        .select_related("rule")
        .prefetch_related("appeals")
        .order_by("-id")
    )


def audit_page(*, before: int | None = None, size: int = 100):
    qs = AuditEntry.objects.select_related("actor").order_by("-id")
    if before:
        qs = qs.filter(id__lt=before)
    return list(qs[:size])


def transparency(*, months: int = 6) -> dict:
    """Counts by category and by action over the last `months`, from the audit log."""
    since = timezone.now() - timedelta(days=round(30.44 * months))
    rows = AuditEntry.objects.filter(created_at__gte=since, verb__startswith="action.")
    by_action = dict(rows.values("verb").annotate(n=Count("id")).values_list("verb", "n"))
    by_category = dict(
        rows.exclude(category="")
        .values("category")
        .annotate(n=Count("id"))
        .values_list("category", "n")
    )
    appeals = AuditEntry.objects.filter(created_at__gte=since, verb__startswith="appeal.")
    by_appeal = dict(appeals.values("verb").annotate(n=Count("id")).values_list("verb", "n"))
    kinds, categories = dict(Action.Kind.choices), dict(Category.choices)
    return {
        "since": since,
        "by_action": {
            kinds.get(k.removeprefix("action."), k): v for k, v in sorted(by_action.items())
        },
        "by_category": {categories.get(k, k): v for k, v in sorted(by_category.items())},
        "appeals": {k.removeprefix("appeal."): v for k, v in by_appeal.items()},
    }


def moderation_team() -> list:
    """Staff accounts holding a moderation role, for the admin page."""
    from kiln.accounts.models import User

    from .access import is_admin, is_moderator

    staff = User.objects.filter(is_staff=True, is_active=True).order_by("username")
    return [(u, "admin" if is_admin(u) else "moderator") for u in staff if is_moderator(u)]


def signup_blocks():
    from kiln.accounts.models import SignupBlock

    return SignupBlock.objects.order_by("kind", "value")


def legal_hold_active(*, account_id: int) -> LegalHold | None:
    return LegalHold.objects.filter(account_id=account_id, lifted_at__isnull=True).first()


def legal_held_account_ids():
    """A subquery of the accounts under an active hold (for the purge's queries)."""
    return LegalHold.objects.filter(lifted_at__isnull=True).values("account_id")


def legal_holds(*, lifted: bool = False, limit: int = 100) -> list[LegalHold]:
    """Holds, newest first; each active one with `kept`: what it keeps of the account."""
    holds = LegalHold.objects.select_related("account", "placed_by", "lifted_by")
    holds = list(holds.filter(lifted_at__isnull=not lifted).order_by("-id")[:limit])
    for hold in holds if not lifted else []:
        who = hold.account_id
        counts = (
            (Post.objects.filter(author_id=who).count(), "post", "posts"),
            (Project.objects.filter(owner_id=who).count(), "project", "projects"),
            (MediaAsset.objects.filter(owner_id=who).count(), "image", "images"),
            (Message.objects.filter(sender_id=who).count(), "message sent", "messages sent"),
        )
        hold.kept = [f"{n} {one if n == 1 else many}" for n, one, many in counts]
    return holds
