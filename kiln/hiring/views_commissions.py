"""HTTP for commissions: the profile tab, the sheet editor, requests and their steps,
references and deliveries (each served only to the parties it belongs to)."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from kiln.accounts.selectors import user_by_username
from kiln.core.access import AccessDenied
from kiln.hiring import commission_selectors as selectors
from kiln.hiring import commission_services as services
from kiln.hiring.forms import CommissionRequestForm, CommissionSheetForm, CommissionTierForm
from kiln.hiring.models import CommissionSheet, CommissionTier
from kiln.messages.images import private_image_response
from kiln.portfolio.models import Project, ProjectImage


def _first_error(exc) -> str:
    return exc.messages[0] if hasattr(exc, "messages") else str(exc)


def profile_tab(request, owner):
    """The "Commissions" tab on /@username: status, open slots, tiers, terms, request."""
    sheet = selectors.sheet_of(artist=owner)
    return "hiring/_commissions_tab.html", {
        "sheet": sheet,
        "tiers": selectors.tiers_of(artist=owner) if sheet else [],
        "slots_open": services.open_slots(artist=owner) if sheet else 0,
        "is_owner": request.user.is_authenticated and request.user.pk == owner.pk,
    }


@login_required
@require_http_methods(["GET", "POST"])
def sheet_edit(request):
    sheet = selectors.sheet_of(artist=request.user) or CommissionSheet(artist=request.user)
    sheet_form = CommissionSheetForm(
        request.POST if request.POST.get("form") == "sheet" else None,
        initial={
            "status": sheet.status,
            "slots": sheet.slots,
            "terms": sheet.terms,
            "payment_url": sheet.payment_url,
        },
    )
    tier_form = CommissionTierForm(request.POST if request.POST.get("form") == "tier" else None)
    status = 200
    if request.method == "POST":
        form = sheet_form if request.POST.get("form") == "sheet" else tier_form
        if form.is_valid():
            try:
                _save_sheet_or_tier(request, form)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                flash.success(request, "Commission sheet saved.")
                return redirect("hiring:sheet")
        status = 400
    images = (
        ProjectImage.objects.filter(
            project__owner=request.user, project__state=Project.State.PUBLISHED
        )
        .select_related("asset", "project")
        .prefetch_related("asset__renditions")[:60]
    )
    return render(
        request,
        "hiring/sheet_edit.html",
        {
            "sheet_form": sheet_form,
            "tier_form": tier_form,
            "tiers": selectors.tiers_of(artist=request.user),
            "images": images,
        },
        status=status,
    )


def _save_sheet_or_tier(request, form):
    data = form.cleaned_data
    if isinstance(form, CommissionSheetForm):
        services.commission_sheet_update(artist=request.user, **data)
        return
    try:
        example_ids = [int(i) for i in request.POST.getlist("examples")]
    except ValueError as exc:
        raise ValidationError("Pick example images from your own published projects.") from exc
    services.commission_tier_create(artist=request.user, example_image_ids=example_ids, **data)


@login_required
@require_POST
def tier_delete(request, tier_id: int):
    tier = CommissionTier.objects.filter(pk=tier_id, artist=request.user).first()
    if tier is None:
        raise Http404("No such tier.")
    services.commission_tier_delete(artist=request.user, tier=tier)
    flash.success(request, "Tier removed.")
    return redirect("hiring:sheet")


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request, username: str):
    artist = user_by_username(username)
    sheet = selectors.sheet_of(artist=artist)
    tiers = selectors.tiers_of(artist=artist)
    form = CommissionRequestForm(request.POST or None, tiers=tiers)
    form.fields["tier"].initial = request.GET.get("tier")
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            commission = services.commission_request_create(
                client=request.user,
                artist=artist,
                tier_id=data["tier"] or None,
                brief=data["brief"],
                budget=data["budget"],
                wished_date=data["wished_date"],
                references=request.FILES.getlist("references"),
            )
        except (ValidationError, AccessDenied) as exc:
            error = _first_error(exc)
        else:
            flash.success(request, "Request sent. The artist has been told.")
            return redirect("hiring:commission", request_id=commission.pk)
    return render(
        request,
        "hiring/request_new.html",
        {
            "artist": artist,
            "sheet": sheet,
            "tiers": tiers,
            "form": form,
            "error": error,
            "max_references": services.MAX_REFERENCES,
        },
        status=400 if error or (request.method == "POST" and not form.is_valid()) else 200,
    )


@login_required
def commissions(request):
    return render(
        request,
        "hiring/commissions.html",
        {
            "received": selectors.requests_received(artist=request.user),
            "made": selectors.requests_made(client=request.user),
        },
    )


@login_required
def commission_detail(request, request_id: int):
    commission = selectors.request_for_party(user=request.user, request_id=request_id)
    is_artist = request.user.pk == commission.artist_id
    actions = [
        name
        for name, (sources, who, _, _) in services.TRANSITIONS.items()
        if commission.state in sources
        and name != "deliver"
        and who in ("either", "artist" if is_artist else "client")
    ]
    return render(
        request,
        "hiring/commission.html",
        {
            "commission": commission,
            "is_artist": is_artist,
            "actions": actions,
            "sheet": selectors.sheet_of(artist=commission.artist),
            "can_deliver": is_artist and commission.state == "in_progress",
        },
    )


ACTIONS = {
    "accept": lambda user, c, post: services.commission_request_accept(
        artist=user, request=c, agreed_price=_int(post.get("agreed_price"))
    ),
    "decline": lambda user, c, post: services.commission_request_decline(artist=user, request=c),
    "start": lambda user, c, post: services.commission_request_start(artist=user, request=c),
    "complete": lambda user, c, post: services.commission_request_complete(client=user, request=c),
    "cancel": lambda user, c, post: services.commission_request_cancel(user=user, request=c),
}


def _int(raw):
    try:
        return int(raw) if raw not in (None, "") else None
    except ValueError:
        return -1  # refused by the service with its own message


@login_required
@require_POST
def commission_action(request, request_id: int, action: str):
    commission = selectors.request_for_party(user=request.user, request_id=request_id)
    if action not in ACTIONS:
        raise Http404("No such step.")
    try:
        ACTIONS[action](request.user, commission, request.POST)
    except (ValidationError, AccessDenied) as exc:
        flash.error(request, _first_error(exc))
    return redirect("hiring:commission", request_id=commission.pk)


@login_required
@require_POST
def commission_deliver(request, request_id: int):
    commission = selectors.request_for_party(user=request.user, request_id=request_id)
    try:
        services.commission_request_deliver(
            artist=request.user, request=commission, files=request.FILES.getlist("files")
        )
    except (ValidationError, AccessDenied) as exc:
        flash.error(request, _first_error(exc))
    else:
        flash.success(request, "Delivered. The client can download the files now.")
    return redirect("hiring:commission", request_id=commission.pk)


@login_required
@require_POST
def commission_message(request, request_id: int):
    commission = selectors.request_for_party(user=request.user, request_id=request_id)
    try:
        convo = services.commission_conversation(user=request.user, request=commission)
    except (ValidationError, AccessDenied) as exc:
        flash.error(request, _first_error(exc))
        return redirect("hiring:commission", request_id=commission.pk)
    return redirect("kiln_messages:conversation", conversation_id=convo.pk)


@login_required
def reference_image(request, request_id: int, asset_id: int):
    asset = selectors.reference_for_party(
        user=request.user, request_id=request_id, asset_id=asset_id
    )
    return private_image_response(asset)


@login_required
def delivery_download(request, request_id: int, delivery_id: int):
    delivery = selectors.delivery_for_client(
        user=request.user, request_id=request_id, delivery_id=delivery_id
    )
    try:
        handle = storages["private"].open(delivery.file_key, "rb")
    except OSError as exc:
        raise Http404("No such file.") from exc
    response = FileResponse(
        handle, as_attachment=True, filename=delivery.filename, content_type=delivery.content_type
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
