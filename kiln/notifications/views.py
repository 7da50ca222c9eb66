from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from kiln.core.http import refusal
from kiln.core.pagination import parse_cursor
from kiln.notifications import selectors, services
from kiln.notifications.models import Notification


@login_required
def notification_list(request):
    groups, next_cursor = selectors.notification_page(
        user=request.user, before=parse_cursor(request.GET.get("before"))
    )
    return render(
        request,
        "notifications/list.html",
        {"groups": groups, "next_cursor": next_cursor},
    )


@login_required
@require_POST
def mark_all_read(request):
    count = services.notifications_mark_all_read(user=request.user)
    if count:
        messages.success(request, "All notifications marked as read.")
    return redirect("notifications:list")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    if request.method == "POST":
        try:
            services.notification_preferences_update(
                user=request.user, enabled_kinds=set(request.POST.getlist("kinds"))
            )
        except ValidationError as exc:
            return refusal(request, exc)
        messages.success(request, "Notification settings saved.")
        return redirect("notifications:preferences")
    enabled = selectors.enabled_kinds(user=request.user)
    return render(
        request,
        "notifications/preferences.html",
        {"kinds": [(v, label, v in enabled) for v, label in Notification.Kind.choices]},
    )
