"""Thin views: rules and transparency pages, the report dialog and public notice form, a
member's reports and account status, and the staff queue (kiln/moderation/views_staff.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from kiln.core.access import AccessDenied
from kiln.core.http import is_htmx
from kiln.shield.client import client_ip, client_key

from . import selectors, services, statements, targets
from .models import Action, Category


def errors_text(exc: Exception) -> str:
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def rules_page(request):
    return render(request, "moderation/rules.html", {"rules": selectors.active_rules()})


def transparency_page(request):
    return render(request, "moderation/transparency.html", {"t": selectors.transparency()})


def _extras(request) -> list[tuple[str, str]]:
    return [tuple(v.split(":", 1)) for v in request.POST.getlist("extra") if ":" in v]


def _more_from_account(target) -> list:
    """The project's images, and recent posts and projects of the same account, to add."""
    from kiln.portfolio.models import Project
    from kiln.posts.models import Post

    posts = Post.objects.filter(author=target.account, deleted_at__isnull=True, reblog__isnull=True)
    projects = Project.objects.filter(owner=target.account, state=Project.State.PUBLISHED)
    items = []
    if target.kind == "project":  # one image of the project may be the problem
        images = target.asset_ids[:10]
        items += [("image", pk, f"Image {n} of this project") for n, pk in enumerate(images, 1)]
    items += [("post", p.pk, (p.text or "Post")[:80]) for p in posts.order_by("-id")[:6]]
    items += [("project", p.pk, p.title or "Project") for p in projects.order_by("-id")[:4]]
    return [i for i in items if (i[0], i[1]) != (target.kind, target.id)]


def report_form(request):
    """GET: the dialog (htmx) or page. POST: file the report. Works without an account."""
    source = request.POST if request.method == "POST" else request.GET
    kind, pk = source.get("kind", ""), source.get("id", "")
    try:
        target = targets.load(kind, pk)
        if not targets.visible_to(target, request.user):
            raise ValidationError("That item doesn't exist.")
    except ValidationError as exc:
        return render(
            request, "moderation/report_error.html", {"error": errors_text(exc)}, status=400
        )
    context = {
        "target": target,
        "categories": Category.choices,
        "rules": selectors.active_rules(),
        "more": _more_from_account(target) if request.user.is_authenticated else [],
        "values": source,
    }
    if request.method == "POST":
        member = request.user.is_authenticated
        try:
            report = services.report_create(
                reporter=request.user if member else None,
                target_kind=kind,
                target_id=pk,
                category=source.get("category", ""),
                rule_ids=source.getlist("rules"),
                comment=source.get("comment", ""),
                extra_items=_extras(request),
                reporter_name=source.get("name", ""),
                reporter_email=source.get("email", ""),
                good_faith=source.get("good_faith") == "on",
                url=source.get("url", ""),
                rate_ident=f"user:{request.user.pk}"
                if member
                else f"ip:{client_key(client_ip(request))}",
            )
        except ValidationError as exc:
            context["error"] = errors_text(exc)
            # htmx swaps only 2xx answers: the dialog comes back with the error inside it.
            status = 200 if is_htmx(request) else 400
            return render(request, _template(request), context, status=status)
        done = "moderation/_report_done.html" if is_htmx(request) else "moderation/report_done.html"
        context = {"report": report, "target": target, "in_dialog": is_htmx(request)}
        return render(request, done, context)
    return render(request, _template(request), context)


def _template(request) -> str:
    return "moderation/_report_dialog.html" if is_htmx(request) else "moderation/report.html"


@login_required
def my_reports(request):
    return render(
        request, "moderation/my_reports.html", {"reports": selectors.reports_by(user=request.user)}
    )


@login_required
def account_status(request):
    return render(
        request,
        "moderation/account_status.html",
        {"statements": list(selectors.statements_for(user=request.user))},
    )


@login_required
@require_POST
def appeal_submit(request, action_id: int):
    action = get_object_or_404(Action, pk=action_id, account=request.user)
    try:
        services.appeal_create(
            user=request.user, action=action, message=request.POST.get("message", "")
        )
    except (ValidationError, AccessDenied) as exc:
        messages.error(request, errors_text(exc))
    else:
        messages.success(request, "Your appeal was sent. A different moderator will review it.")
    return redirect("moderation:account_status")


def appeal_by_link(request, token: str):
    """The emailed appeal link: works signed out, so a suspended account can appeal too."""
    action = statements.action_from_token(token)
    if action is None:
        raise Http404("This appeal link is not valid.")
    if request.method == "POST":
        try:
            services.appeal_create(
                user=action.account, action=action, message=request.POST.get("message", "")
            )
        except (ValidationError, AccessDenied) as exc:
            messages.error(request, errors_text(exc))
        else:
            messages.success(request, "Your appeal was sent. A different moderator will review it.")
        return redirect(request.path)
    return render(request, "moderation/appeal_link.html", {"s": action})
