"""Thin views: the artist's screening page and appeal, repost answers, and the registry API.
Staff decide holds, appeals and takedowns in the moderation queue (kiln/moderation)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import registry, selectors, services
from .models import RepostMatch


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
def screening_detail(request, asset_id: int):
    screening = selectors.screening_for_asset(asset_id=asset_id)
    if screening is None or (
        screening.asset.owner_id != request.user.pk and not request.user.is_staff
    ):
        raise Http404("No screening for this image.")
    matches = list(selectors.repost_matches_for_upload(asset_id=asset_id))
    status, status_note = selectors.publication_status(screening=screening, matches=matches)
    context = {
        "screening": screening,
        "findings": list(screening.findings.all()),
        "appeals": list(screening.appeals.all().order_by("-id")),
        "matches": matches,
        "preview": selectors.preview_url(screening.asset),
        "status": status,
        "status_note": status_note,
    }
    return render(request, "provenance/screening.html", context)


@login_required
@require_POST
def appeal_submit(request, asset_id: int):
    screening = selectors.screening_for_asset(asset_id=asset_id)
    if screening is None or screening.asset.owner_id != request.user.pk:
        raise Http404("No screening for this image.")
    try:
        services.appeal_create(
            user=request.user, screening=screening, message=request.POST.get("message", "")
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, "Your appeal was sent to the review team.")
    return redirect("provenance:screening", asset_id=asset_id)


@login_required
def matches_list(request):
    matches = list(selectors.repost_matches_for_artist(user=request.user)[:100])
    return render(request, "provenance/matches.html", {"matches": matches})


@login_required
def match_detail(request, match_id: int):
    match = get_object_or_404(
        RepostMatch.objects.select_related("upload", "upload__owner", "original"),
        pk=match_id,
        original_artist=request.user,
    )
    context = {
        "match": match,
        "upload_preview": selectors.preview_url(match.upload),
        "original_preview": selectors.preview_url(match.original),
    }
    return render(request, "provenance/match.html", context)


@login_required
@require_POST
def match_answer(request, match_id: int):
    match = get_object_or_404(RepostMatch, pk=match_id, original_artist=request.user)
    try:
        services.repost_match_answer(
            user=request.user,
            match=match,
            answer=request.POST.get("answer", ""),
            message=request.POST.get("message", ""),
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, "Thanks, your answer was recorded.")
    return redirect("provenance:match", match_id=match_id)


# --- registry API --------------------------------------------------------------------------


def _bad(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _rate_limited(request) -> JsonResponse | None:
    from kiln.shield.client import client_ip, client_key
    from kiln.shield.ratelimit import rate_limit_hit

    limit = int(getattr(settings, "KILN_REGISTRY_RATE_LIMIT", 60))
    retry = rate_limit_hit(
        scope="registry", ident=client_key(client_ip(request)), limit=limit, window=60
    )
    if retry is None:
        return None
    resp = _bad(f"Rate limit: {limit} requests a minute. Retry in {retry} s.", status=429)
    resp["Retry-After"] = str(retry)
    return resp


@csrf_exempt  # a public, read-only JSON API: no cookies, no state changes
@require_http_methods(["GET", "POST"])
def registry_lookup(request):
    limited = _rate_limited(request)
    if limited:
        return limited
    try:
        if request.method == "GET":
            value = request.GET.get("pdq")
            if value is None:
                return _bad("Missing the pdq query parameter (64 hex digits).")
            hashes = registry.parse_hashes([value])
        else:
            hashes = registry.parse_body(request.body)
    except registry.BadHashes as exc:
        return _bad(str(exc))
    results = registry.lookup(hashes)
    if request.method == "GET":
        return JsonResponse(results[0])
    return JsonResponse({"results": results})


def registry_openapi(request):
    return JsonResponse(registry.openapi(request.build_absolute_uri("/").rstrip("/")))
