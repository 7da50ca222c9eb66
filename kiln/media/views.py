"""HTTP for media: rendition serving, the JSON upload endpoint and live status."""

import time

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kiln.core.http import is_htmx
from kiln.media import imaging, selectors, services, signing
from kiln.media.delivery import key_for_name
from kiln.media.models import MediaAsset


def _cache_control(max_age: int, withheld: bool) -> str:
    # A held image may be cleared or taken down, and only its artist may see it meanwhile:
    # no shared cache (a CDN, a proxy) may keep it.
    return "private, no-store" if withheld else f"public, max-age={max_age}, immutable"


@require_http_methods(["GET", "HEAD"])
def rendition_serve(request, token: str, name: str):
    """A public rendition, if the URL's window token is valid. Originals have no URL at all."""
    key = key_for_name(name)
    if key is None:
        raise Http404("No such image.")
    now = time.time()
    expires = signing.token_expiry(token, key, now=now)
    if expires is None:
        # Harvested URLs expire; pages always carry fresh ones.
        return HttpResponse(
            "This image link has expired. Open the page it came from to see the image.",
            status=410,
            content_type="text/plain; charset=utf-8",
        )
    rendition = selectors.rendition_for_serving(key=key)
    if rendition is None:
        raise Http404("No such image.")
    withheld = rendition["withheld"]
    if withheld and not (request.user.is_staff or request.user.pk == rendition["asset__owner_id"]):
        raise Http404("No such image.")  # held for review: its artist's and staff's alone
    max_age = max(0, min(signing.ONE_YEAR, int(expires - now)))
    etag = f'"{name.partition(".")[0]}"'  # the content hash: bytes never change under it
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
        response["ETag"] = etag
        response["Cache-Control"] = _cache_control(max_age, withheld)
        return response
    content_type = imaging.CONTENT_TYPES[rendition["format"]]
    if settings.KILN_MEDIA_ACCEL_PREFIX:
        # Behind nginx (deploy/): the checks above are Kiln's, the bytes are nginx's to send.
        response = HttpResponse(content_type=content_type)
        indexable = "?index=1" if rendition["asset__owner__profile__allow_image_search"] else ""
        response["X-Accel-Redirect"] = f"{settings.KILN_MEDIA_ACCEL_PREFIX}{key}{indexable}"
    else:
        try:
            handle = storages["default"].open(key, "rb")
        except (FileNotFoundError, OSError) as exc:
            raise Http404("No such image.") from exc
        response = FileResponse(handle, content_type=content_type)
        response["Content-Length"] = str(rendition["bytes"])
    # Read by the shield's middleware: images get `noimageindex` unless the artist opted in.
    response.shield_image_search = bool(rendition["asset__owner__profile__allow_image_search"])
    # Content at a URL never changes (it is addressed by its hash), but the URL itself dies
    # with its window, so caches may keep it exactly until then.
    response["Cache-Control"] = _cache_control(max_age, withheld)
    response["ETag"] = etag
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


def _status_payload(asset: MediaAsset) -> dict:
    return {
        "id": str(asset.pk),
        "state": asset.state,
        "failure_reason": asset.failure_reason,
        "width": asset.width,
        "height": asset.height,
        "status_url": reverse("media:status", args=[asset.pk]),
    }


@login_required
@require_POST
def upload(request):
    """POST /media/upload (multipart, field "file"): {id, state, status_url} or {error}."""
    files = request.FILES.getlist("file")
    if len(files) != 1:
        return JsonResponse(
            {"error": "Send exactly one file, in the field named “file”."}, status=400
        )
    try:
        # No work_url from the client: Kiln signs it, so Kiln derives it when the work is
        # published (portfolio's project_publish).
        asset = services.media_asset_create(owner=request.user, upload=files[0])
    except services.StoreUnavailable as exc:
        response = JsonResponse({"error": " ".join(exc.messages)}, status=503)
        response["Retry-After"] = str(exc.RETRY_AFTER_SECONDS)
        return response
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    asset.refresh_from_db(fields=["state", "failure_reason"])
    return JsonResponse(_status_payload(asset), status=201)


@login_required
@require_GET
def status(request, asset_id: int):
    """The asset's state: JSON, or an htmx fragment that keeps polling until it settles."""
    asset = selectors.media_asset_for_owner(owner=request.user, asset_id=asset_id)
    if asset is None:
        raise Http404("No such upload.")
    if is_htmx(request):
        if asset.is_ready:
            asset = selectors.media_assets_with_renditions().get(pk=asset.pk)
        return render(request, "media/_status.html", {"asset": asset})
    return JsonResponse(_status_payload(asset))


@login_required
@require_POST
def retry(request, asset_id: int):
    asset = selectors.media_asset_for_owner(owner=request.user, asset_id=asset_id)
    if asset is None:
        raise Http404("No such upload.")
    try:
        asset = services.media_asset_retry(asset=asset)
    except ValidationError as exc:  # a poisoned file: it would only fail the same way again
        return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    if is_htmx(request):
        return render(request, "media/_status.html", {"asset": asset})
    return JsonResponse(_status_payload(asset))
