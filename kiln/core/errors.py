"""Error pages in Kiln's layout, with the plain reason when there is one."""

from django.shortcuts import render


def _render(request, status: int, title: str, exception=None):
    message = str(exception) if exception and str(exception) and status != 500 else ""
    return render(
        request,
        "core/error.html",
        {"status": status, "title": title, "message": message},
        status=status,
    )


def bad_request(request, exception=None):
    return _render(request, 400, "That request could not be understood", exception)


def permission_denied(request, exception=None):
    return _render(request, 403, "You can't do that", exception)


def page_not_found(request, exception=None):
    return _render(request, 404, "Nothing here", None)


def server_error(request):
    return _render(request, 500, "Something broke on our side")
