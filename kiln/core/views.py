from django.http import HttpResponse
from django.shortcuts import render

from kiln.accounts.selectors import demo_artists
from kiln.core.hooks import optional_callable


def home(request):
    """Logged in: the Following timeline. Logged out: a landing page of recent public work."""
    if request.user.is_authenticated:
        timeline = optional_callable("kiln.timelines.views.home_timeline")
        if timeline is not None:
            return timeline(request)
        return render(request, "core/home_placeholder.html")
    recent_work = optional_callable("kiln.portfolio.selectors.recent_public_projects")
    return render(
        request,
        "core/landing.html",
        {
            "artists": demo_artists(),
            "recent_projects": recent_work(limit=12) if recent_work else [],
        },
    )


def placeholder(request, title: str):
    return render(request, "core/placeholder.html", {"title": title})


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def profile_image(request, kind: str, name: str):
    """Avatars and banners: re-encoded WebP files in public storage, immutable names."""
    from django.core.files.storage import storages
    from django.http import FileResponse, Http404

    storage = storages["default"]
    path = f"{kind}/{name}"
    if "/" in name or name.startswith(".") or not storage.exists(path):
        raise Http404("No such image.")
    response = FileResponse(storage.open(path, "rb"), content_type="image/webp")
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
