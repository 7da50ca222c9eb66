"""The artist's "attach process evidence" page. Owner only; everyone else gets a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from kiln.core.access import AccessDenied

from . import process, process_selectors, selectors


@login_required
@require_http_methods(["GET", "POST"])
def process_attach(request, asset_id: int):
    screening = selectors.screening_for_asset(asset_id=asset_id)
    if screening is None or screening.asset.owner_id != request.user.pk:
        raise Http404("No such work.")
    asset = screening.asset
    if request.method == "POST" and "show" in request.POST:
        return _show(request, asset)
    if request.method == "POST":
        message = request.POST.get("message", "")
        try:
            if request.FILES.get("layered"):
                f = request.FILES["layered"]
                process.process_layered_attach(
                    user=request.user,
                    asset=asset,
                    upload=f,
                    filename=f.name,
                    appeal_message=message,
                )
            elif request.FILES.getlist("stages"):
                process.process_stages_attach(
                    user=request.user,
                    asset=asset,
                    uploads=request.FILES.getlist("stages"),
                    appeal_message=message,
                )
            elif request.FILES.get("timelapse"):
                process.process_timelapse_attach(
                    user=request.user,
                    asset=asset,
                    upload=request.FILES["timelapse"],
                    appeal_message=message,
                )
            else:
                raise ValidationError(
                    "Choose a layered file, 2 to 10 stage images or a timelapse video."
                )
        except (ValidationError, AccessDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, "Process verified: the evidence matches this work.")
            return redirect("provenance:screening", asset_id=asset_id)
    context = {
        "screening": screening,
        "evidence": process_selectors.evidence_for_asset(asset_id=asset_id),
        "preview": selectors.preview_url(asset),
    }
    return render(request, "provenance/process_attach.html", context)


def _show(request, asset):
    """Turn showing an evidence's stages on the work's page on or off."""
    from .process_models import ProcessEvidence

    evidence_id = request.POST.get("evidence", "")
    evidence = ProcessEvidence.objects.filter(
        asset=asset, pk=int(evidence_id) if evidence_id.isdigit() else 0
    ).first()
    if evidence is None:
        raise Http404("No such evidence.")
    show = request.POST.get("show") == "1"
    try:
        process.process_evidence_show(user=request.user, evidence=evidence, show=show)
    except (ValidationError, AccessDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(
            request,
            "The stages will show on the work's page once they are processed."
            if show
            else "The stages no longer show on the work's page.",
        )
    return redirect("provenance:process_attach", asset_id=asset.pk)
