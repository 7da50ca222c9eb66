from django.http import HttpResponse
from django.shortcuts import render


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
