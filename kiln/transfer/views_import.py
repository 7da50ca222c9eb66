"""Instagram import pages: upload in chunks (resumable), review, progress, results."""

import mimetypes
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from kiln.transfer import imports, instagram
from kiln.transfer.models import ImportItem, InstagramImport

CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")


def _own(request, batch_id: int) -> InstagramImport:
    """The signed-in artist's own import; anyone else's is a 404, staff included."""
    batch = InstagramImport.objects.filter(pk=batch_id, owner=request.user).first()
    if batch is None:
        raise Http404("No such import.")
    return batch


def _state(batch: InstagramImport) -> dict:
    return {
        "id": str(batch.pk),
        "state": batch.state,
        "received": batch.received_bytes,
        "total": batch.total_bytes,
        "refusal": batch.refusal,
        "next": f"/settings/data/instagram/{batch.pk}",
    }


@login_required
@require_GET
def instagram_index(request):
    latest = InstagramImport.objects.filter(owner=request.user).order_by("-pk").first()
    unfinished = (InstagramImport.State.REVIEW, InstagramImport.State.PROCESSING)
    if latest is not None and latest.state in unfinished + (InstagramImport.State.REFUSED,):
        return redirect("transfer:instagram_detail", batch_id=latest.pk)
    return render(
        request,
        "transfer/instagram.html",
        {
            "resume": latest if latest and latest.state == "uploading" else None,
            "last_done": latest if latest and latest.state == "done" else None,
            "chunk_bytes": settings.KILN_IMPORT_CHUNK_BYTES,
            "max_gb": settings.KILN_IMPORT_MAX_BYTES // 1024**3,
        },
    )


@login_required
@require_POST
def instagram_start(request):
    try:
        batch = imports.import_start(user=request.user, total_bytes=int(request.POST["size"]))
    except (KeyError, ValueError):
        return JsonResponse({"error": "Say how large the file is."}, status=400)
    except ValidationError as exc:
        return JsonResponse({"error": exc.messages[0]}, status=400)
    return JsonResponse(_state(batch), status=201)


@login_required
@require_POST
def instagram_chunk(request, batch_id: int):
    """One piece of the archive, placed by its Content-Range header."""
    batch = _own(request, batch_id)
    match = CONTENT_RANGE.match(request.headers.get("Content-Range", ""))
    if not match:
        return JsonResponse({"error": "Send a Content-Range: bytes a-b/total header."}, status=400)
    start, end, total = (int(g) for g in match.groups())
    if total != batch.total_bytes or end < start:
        return JsonResponse({"error": "That range does not fit this upload."}, status=400)
    # Read the stream directly: request.body would refuse anything over Django's form limit.
    data = request.read(settings.KILN_IMPORT_CHUNK_BYTES + 1)
    if len(data) != end - start + 1:
        return JsonResponse({"error": "The piece is not the size its range says."}, status=400)
    try:
        batch = imports.import_receive_chunk(batch=batch, start=start, data=data)
    except ValidationError as exc:
        return JsonResponse({**_state(batch), "error": exc.messages[0]}, status=409)
    return JsonResponse(_state(batch))


@login_required
@require_GET
def instagram_status(request, batch_id: int):
    return JsonResponse(_state(_own(request, batch_id)))


@login_required
def instagram_detail(request, batch_id: int):
    batch = _own(request, batch_id)
    if batch.state == InstagramImport.State.UPLOADING:
        return redirect("transfer:instagram")
    items = list(batch.items.all())
    context = {
        "batch": batch,
        "items": items,
        "new_items": [i for i in items if i.state == ImportItem.State.FOUND],
        "duplicates": [i for i in items if i.state == ImportItem.State.DUPLICATE],
        "failed": [i for i in items if i.state == ImportItem.State.FAILED],
        "progress": imports.progress(batch),
    }
    return render(request, "transfer/instagram_batch.html", context)


@login_required
@require_GET
def instagram_progress(request, batch_id: int):
    batch = _own(request, batch_id)
    context = {"batch": batch, "progress": imports.progress(batch)}
    response = render(request, "transfer/_import_progress.html", context)
    if batch.state != InstagramImport.State.PROCESSING:
        response["HX-Refresh"] = "true"  # the results page replaces the bar
    return response


@login_required
@require_POST
def instagram_confirm(request, batch_id: int):
    batch = _own(request, batch_id)
    choices = {}
    for key, value in request.POST.items():
        if key.startswith("item-") and key[5:].isdigit():
            choices[int(key[5:])] = value
    try:
        imports.import_confirm(
            batch=batch,
            choices=choices,
            cloak=request.POST.get("cloak") == "on",
            use_profile=request.POST.get("use_profile") == "on",
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("transfer:instagram_detail", batch_id=batch.pk)


@login_required
@require_POST
def instagram_discard(request, batch_id: int):
    batch = _own(request, batch_id)
    try:
        imports.import_discard(batch=batch)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("transfer:instagram_detail", batch_id=batch.pk)
    return redirect("transfer:instagram")


@login_required
@require_GET
def instagram_media(request, batch_id: int, item_id: int):
    """An item's first image, straight from the archive, for the review grid (owner only)."""
    batch = _own(request, batch_id)
    item = batch.items.filter(pk=item_id).first()
    if item is None or not item.media or batch.state != InstagramImport.State.REVIEW:
        raise Http404("No such image.")
    try:
        with instagram.open_archive(imports.archive_path(batch)) as zf:
            data = instagram.read_member(zf, item.media[0], settings.KILN_MEDIA_MAX_BYTES)
    except (instagram.ArchiveRefused, FileNotFoundError, ValueError):
        raise Http404("That image is not in the archive.") from None
    kind = mimetypes.guess_type(item.media[0])[0] or "application/octet-stream"
    response = HttpResponse(data, content_type=kind)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
