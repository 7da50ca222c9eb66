"""HTTP for the cloak: start, the live job page, cancel, intensity, remove, owner previews."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from kiln.cloak import selectors, services
from kiln.cloak.models import CloakJob, Intensity
from kiln.core.http import is_htmx
from kiln.media.selectors import media_asset_for_owner

PREVIEW_KINDS = {"before", "after", "ai_clean", "ai_cloaked"}


def _job_or_404(request, job_id: int) -> CloakJob:
    job = selectors.cloak_job_for_owner(owner=request.user, job_id=job_id)
    if job is None:
        raise Http404("No such cloak.")
    return job


@login_required
@require_GET
def index(request):
    """The artist's cloaks, the account-wide default and what cloaks cannot do."""
    by_default, intensity = selectors.cloak_default_for(user=request.user)
    return render(
        request,
        "cloak/index.html",
        {
            "jobs": selectors.cloak_jobs_for_owner(owner=request.user)[:100],
            "candidates": selectors.cloak_candidates_for_owner(owner=request.user),
            "unavailable": selectors.cloak_unavailable_for(user=request.user),
            "cloak_by_default": by_default,
            "default_intensity": intensity,
            "intensities": Intensity.choices,
        },
    )


@login_required
@require_POST
def preference(request):
    try:
        services.cloak_preference_set(
            user=request.user,
            cloak_by_default=request.POST.get("cloak_by_default") == "on",
            default_intensity=request.POST.get("default_intensity", ""),
        )
        messages.success(request, "Your cloak default is saved.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("cloak:index")


@login_required
@require_POST
def start(request, asset_id: int):
    """POST intensity (+ publish_before_done): cloak this work, then show its live page."""
    asset = media_asset_for_owner(owner=request.user, asset_id=asset_id)
    if asset is None:
        raise Http404("No such upload.")
    try:
        job = services.cloak_job_start(
            user=request.user,
            asset=asset,
            intensity=request.POST.get("intensity", Intensity.DEFAULT),
            publish_before_done=request.POST.get("publish_before_done") == "on",
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("cloak:index")
    return redirect("cloak:job", job_id=job.pk)


def _job_context(job: CloakJob) -> dict:
    r = job.report or {}
    return {
        "job": job,
        "report": r,
        "shift_pct": round(100 * r.get("latent_shift", 0)),
        "progress_pct": round(100 * job.progress),
        "intensities": Intensity.choices,
    }


@login_required
@require_GET
def job(request, job_id: int):
    job = _job_or_404(request, job_id)
    ctx = _job_context(job) | {"unavailable": selectors.cloak_unavailable_for(user=request.user)}
    return render(request, "cloak/job.html", ctx)


@login_required
@require_GET
def progress(request, job_id: int):
    """The htmx fragment: polls every second while the job is queued or running."""
    job = _job_or_404(request, job_id)
    return render(request, "cloak/_progress.html", _job_context(job))


@login_required
@require_POST
def cancel(request, job_id: int):
    job = services.cloak_job_cancel(user=request.user, job=_job_or_404(request, job_id))
    if is_htmx(request):
        return render(request, "cloak/_progress.html", _job_context(job))
    return redirect("cloak:job", job_id=job.pk)


@login_required
@require_POST
def change_intensity(request, job_id: int):
    job = _job_or_404(request, job_id)
    try:
        job = services.cloak_job_change_intensity(
            user=request.user, job=job, intensity=request.POST.get("intensity", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("cloak:job", job_id=job.pk)


@login_required
@require_POST
def remove(request, job_id: int):
    job = _job_or_404(request, job_id)
    services.cloak_remove(user=request.user, asset=job.asset)
    messages.success(
        request, "The cloak is removed; the images are being rebuilt from the original."
    )
    return redirect("cloak:index")


@login_required
@require_GET
def preview(request, job_id: int, kind: str):
    """Owner-only preview images (before/after/AI); they live in private storage."""
    job = _job_or_404(request, job_id)
    key = job.preview_keys.get(kind) if kind in PREVIEW_KINDS else None
    if not key:
        raise Http404("No such preview.")
    try:
        handle = storages["private"].open(key, "rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404("No such preview.") from exc
    response = FileResponse(handle, content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
