"""How views answer a refused request (a clear message, the right status, no 500), and the
request facts every app asks about: is it htmx, where may it return to."""

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render

from kiln.core.access import AccessDenied


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def error_message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or "You can't do that."


def refusal(request, exc: Exception) -> HttpResponse:
    """403 for what the user may not do, 400 for bad input. htmx gets plain text (posts.js
    shows it); a normal request gets the error page with the message."""
    status = 403 if isinstance(exc, AccessDenied) else 400
    message = error_message(exc)
    if is_htmx(request):
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    title = "You can't do that" if status == 403 else "That didn't work"
    return render(
        request,
        "core/error.html",
        {"status": status, "title": title, "message": message},
        status=status,
    )


def safe_next(request, default: str) -> str:
    """Only same-site paths: never redirect to another host."""
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
