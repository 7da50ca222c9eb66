"""Admin pages: the rule book, moderation roles and sign-up blocks (404 for everyone else)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from kiln.accounts.models import SignupBlock
from kiln.core.access import AccessDenied

from . import selectors, services_admin
from .models import Rule
from .views import errors_text
from .views_staff import _admin


def admin_page(request):
    _admin(request)
    context = {
        "rules": Rule.objects.all(),
        "team": selectors.moderation_team(),
        "blocks": selectors.signup_blocks(),
        "block_kinds": SignupBlock.Kind.choices,
    }
    return render(request, "moderation/admin.html", context)


def _done(request, call, success: str):
    try:
        call()
    except (ValidationError, AccessDenied) as exc:
        messages.error(request, errors_text(exc))
    else:
        messages.success(request, success)
    return redirect("moderation:admin")


@require_POST
def rule_save(request):
    _admin(request)
    rule_id = request.POST.get("rule", "")
    rule = get_object_or_404(Rule, pk=int(rule_id)) if rule_id.isdigit() else None
    return _done(
        request,
        lambda: services_admin.rule_save(
            admin=request.user,
            rule=rule,
            title=request.POST.get("title", ""),
            text=request.POST.get("text", ""),
            active=request.POST.get("active", "on") == "on",
        ),
        "Rule saved.",
    )


@require_POST
def role_set(request):
    _admin(request)
    return _done(
        request,
        lambda: services_admin.role_set(
            admin=request.user,
            username=request.POST.get("username", ""),
            role=request.POST.get("role", ""),
        ),
        "Role changed.",
    )


@require_POST
def block_add(request):
    _admin(request)
    return _done(
        request,
        lambda: services_admin.signup_block_add(
            admin=request.user,
            kind=request.POST.get("kind", ""),
            value=request.POST.get("value", ""),
            note=request.POST.get("note", ""),
        ),
        "Blocked.",
    )


@require_POST
def block_remove(request, block_id: int):
    _admin(request)
    block = get_object_or_404(SignupBlock, pk=block_id)
    return _done(
        request,
        lambda: services_admin.signup_block_remove(admin=request.user, block=block),
        "Block removed.",
    )
