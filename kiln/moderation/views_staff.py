"""The staff pages: one queue (reports, appeals, AI holds, repost takedowns), a case with its
evidence, actions, appeal decisions, the provenance reviews, the audit log, rules and blocks.
Anyone but a moderator gets a 404, as the old provenance review page did."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from kiln.accounts.models import User
from kiln.core.access import AccessDenied
from kiln.provenance.models import Appeal as ProvenanceAppeal
from kiln.provenance.models import TakedownRequest

from . import selectors, services, services_holds
from .access import is_admin, is_moderator
from .models import Action, Appeal, Case, LegalHold, Rule
from .views import errors_text

ERRORS = (ValidationError, AccessDenied)


def _moderator(request) -> None:
    if not is_moderator(request.user):
        raise Http404("Not found.")


def _admin(request) -> None:
    if not is_admin(request.user):
        raise Http404("Not found.")


def queue(request):
    _moderator(request)
    filters = {
        "types": request.GET.get("type", ""),
        "state": request.GET.get("state", "open"),
        "assignee": request.GET.get("assignee", ""),
    }
    context = selectors.queue(**filters, user=request.user)
    context.update(
        filters=filters, queue_types=selectors.QUEUE_TYPES, is_admin=is_admin(request.user)
    )
    return render(request, "moderation/queue.html", context)


def case_detail(request, case_id: int):
    _moderator(request)
    case = get_object_or_404(Case.objects.select_related("account", "assignee"), pk=case_id)
    if case.account_id == request.user.pk:
        # A reported moderator never sees who reported them, nor decides their own case.
        raise Http404("Not found.")
    context = selectors.case_evidence(case)
    context.update(
        case=case,
        rules=selectors.active_rules(),
        action_kinds=Action.Kind.choices,
        own=any(r.reporter_id == request.user.pk for r in context["reports"]),
    )
    return render(request, "moderation/case.html", context)


@require_POST
def case_assign(request, case_id: int):
    _moderator(request)
    case = get_object_or_404(Case, pk=case_id)
    assignee = False if request.POST.get("unassign") else None
    try:
        services.case_assign(moderator=request.user, case=case, assignee=assignee)
    except ERRORS as exc:
        messages.error(request, errors_text(exc))
    return redirect("moderation:case", case_id=case.pk)


@require_POST
def case_act(request, case_id: int):
    _moderator(request)
    case = get_object_or_404(Case, pk=case_id)
    rule_id = request.POST.get("rule", "")
    rule = Rule.objects.filter(pk=int(rule_id)).first() if rule_id.isdigit() else None
    try:
        action = services.action_take(
            moderator=request.user,
            kind=request.POST.get("kind", ""),
            target_kind=case.target_kind,
            target_id=case.target_id,
            facts=request.POST.get("facts", ""),
            rule=rule,
            case=case,
        )
    except ERRORS as exc:
        messages.error(request, errors_text(exc))
        return redirect("moderation:case", case_id=case.pk)
    messages.success(request, f"Done: {action.get_kind_display().lower()}.")
    return redirect("moderation:queue")


@require_POST
def appeal_decide(request, appeal_id: int):
    _moderator(request)
    appeal = get_object_or_404(Appeal, pk=appeal_id)
    decision = request.POST.get("decision")
    if decision not in ("reverse", "uphold"):
        messages.error(request, "Choose to reverse or keep the decision.")
        return redirect("moderation:queue")
    try:
        services.appeal_decide(
            moderator=request.user,
            appeal=appeal,
            reverse=decision == "reverse",
            note=request.POST.get("note", ""),
        )
    except ERRORS as exc:
        messages.error(request, errors_text(exc))
    else:
        messages.success(request, "Appeal decided.")
    return redirect("moderation:queue")


@require_POST
def provenance_appeal_decide(request, appeal_id: int):
    """An artist's appeal of an AI hold (provenance's own appeal), decided from the queue."""
    _moderator(request)
    appeal = get_object_or_404(ProvenanceAppeal.objects.select_related("screening"), pk=appeal_id)
    decision = request.POST.get("decision")
    if decision not in ("accept", "reject"):
        messages.error(request, "Choose accept or reject.")
        return redirect("moderation:queue")
    try:
        services.provenance_appeal_decide(
            moderator=request.user,
            appeal=appeal,
            accept=decision == "accept",
            note=request.POST.get("note", ""),
        )
    except ERRORS as exc:
        messages.error(request, errors_text(exc))
    return redirect("moderation:queue")


@require_POST
def provenance_takedown_decide(request, takedown_id: int):
    _moderator(request)
    takedown = get_object_or_404(TakedownRequest.objects.select_related("match"), pk=takedown_id)
    decision = request.POST.get("decision")
    if decision not in ("remove", "refuse"):
        messages.error(request, "Choose remove or refuse.")
        return redirect("moderation:queue")
    try:
        services.provenance_takedown_decide(
            moderator=request.user, takedown=takedown, remove=decision == "remove"
        )
    except ERRORS as exc:
        messages.error(request, errors_text(exc))
    return redirect("moderation:queue")


@require_http_methods(["GET", "POST"])
def legal_holds(request):
    """Active and lifted holds, and the form that places one (by username)."""
    _moderator(request)
    values, status = {}, 200
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in ("username", "reason")}
        username = values["username"].strip().lstrip("@")
        account = User.objects.filter(username__iexact=username).first() if username else None
        try:
            if account is None:
                raise ValidationError("No account has that username.")
            services_holds.legal_hold_place(
                moderator=request.user, account=account, reason=values["reason"]
            )
        except ERRORS as exc:
            messages.error(request, errors_text(exc))
            status = 400
        else:
            messages.success(request, f"@{account.username} is under a legal hold.")
            return redirect("moderation:holds")
    context = {
        "active": selectors.legal_holds(),
        "lifted": selectors.legal_holds(lifted=True, limit=50),
        "values": values,
    }
    return render(request, "moderation/holds.html", context, status=status)


@require_POST
def legal_hold_lift(request, hold_id: int):
    _moderator(request)
    hold = get_object_or_404(LegalHold.objects.select_related("account"), pk=hold_id)
    try:
        services_holds.legal_hold_lift(
            moderator=request.user, hold=hold, reason=request.POST.get("reason", "")
        )
    except ERRORS as exc:
        messages.error(request, errors_text(exc))
    else:
        messages.success(
            request,
            f"The hold on @{hold.account.username} is lifted. A deletion it kept waiting "
            "finishes within a few minutes.",
        )
    return redirect("moderation:holds")


def audit_log(request):
    _admin(request)
    before = request.GET.get("before", "")
    entries = selectors.audit_page(before=int(before) if before.isdigit() else None)
    return render(request, "moderation/audit.html", {"entries": entries})
