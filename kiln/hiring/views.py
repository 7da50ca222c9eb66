"""HTTP for the jobs board and applications; views_commissions.py has commissions. Views
parse input, call a service and show its error; they never set a state themselves."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from kiln.accounts.choices import FIELDS_OF_WORK
from kiln.core.access import AccessDenied
from kiln.hiring import selectors, services
from kiln.hiring.forms import JobApplicationForm, JobListingForm
from kiln.hiring.models import JobApplication, JobListing
from kiln.hiring.views_commissions import profile_tab  # noqa: F401 - the profile's tab


def _first_error(exc) -> str:
    return exc.messages[0] if hasattr(exc, "messages") else str(exc)


def board(request):
    params = request.GET
    try:
        min_pay = int(params.get("min_pay") or 0)
    except ValueError:
        min_pay = 0
    filters = {
        "field": params.get("field", "") if params.get("field") in dict(FIELDS_OF_WORK) else "",
        "role_type": params.get("role_type", "")
        if params.get("role_type") in JobListing.RoleType.values
        else "",
        "workplace": params.get("workplace", "")
        if params.get("workplace") in JobListing.Workplace.values
        else "",
        "min_pay": max(min_pay, 0),
    }
    return render(
        request,
        "hiring/board.html",
        {
            "listings": selectors.board(viewer=request.user, **filters),
            "filters": filters,
            "field_choices": FIELDS_OF_WORK,
            "role_choices": JobListing.RoleType.choices,
            "workplace_choices": JobListing.Workplace.choices,
        },
    )


def _listing_form_page(request, form, listing=None, status=200):
    return render(
        request,
        "hiring/listing_form.html",
        {"form": form, "listing": listing},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def listing_new(request):
    return _listing_edit(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def listing_edit(request, listing_id: int):
    listing = selectors.listing_for_viewer(viewer=request.user, listing_id=listing_id)
    if listing.poster_id != request.user.pk:
        raise AccessDenied("Only the poster can edit this listing.")
    return _listing_edit(request, listing)


def _listing_edit(request, listing):
    initial = None
    if listing is not None:
        initial = {name: getattr(listing, name) for name in services.LISTING_FIELDS}
        initial["fields_of_work"] = listing.field_slugs
        initial["human_made"] = True
    form = JobListingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            listing = services.job_listing_save(
                poster=request.user, listing=listing, data=form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except AccessDenied as exc:
            form.add_error(None, str(exc))
        else:
            flash.success(request, "Saved. This is how your listing looks.")
            return redirect("hiring:listing", listing_id=listing.pk)
    return _listing_form_page(
        request, form, listing, status=400 if request.method == "POST" else 200
    )


def listing_detail(request, listing_id: int):
    listing = selectors.listing_for_viewer(viewer=request.user, listing_id=listing_id)
    user = request.user
    applied = None
    if user.is_authenticated:
        applied = JobApplication.objects.filter(listing=listing, applicant=user).first()
    return render(
        request,
        "hiring/listing_detail.html",
        {
            "listing": listing,
            "is_poster": user.is_authenticated and user.pk == listing.poster_id,
            "is_open": services.listing_is_open(listing),
            "applied": applied,
            "fields": [dict(FIELDS_OF_WORK).get(f, f) for f in listing.field_slugs],
        },
    )


def _listing_action(request, listing_id: int, action, done: str):
    listing = selectors.listing_for_viewer(viewer=request.user, listing_id=listing_id)
    try:
        action(listing)
    except (ValidationError, AccessDenied) as exc:
        flash.error(request, _first_error(exc))
    else:
        flash.success(request, done)
    return redirect("hiring:listing", listing_id=listing.pk)


@login_required
@require_POST
def listing_publish(request, listing_id: int):
    return _listing_action(
        request,
        listing_id,
        lambda listing: services.job_listing_publish(poster=request.user, listing=listing),
        "Published on the jobs board.",
    )


@login_required
@require_POST
def listing_close(request, listing_id: int):
    return _listing_action(
        request,
        listing_id,
        lambda listing: services.job_listing_close(poster=request.user, listing=listing),
        "Closed. It no longer takes applications.",
    )


@login_required
@require_POST
def listing_feature(request, listing_id: int):
    featured = request.POST.get("featured") == "1"
    return _listing_action(
        request,
        listing_id,
        lambda listing: services.job_listing_feature(
            staff=request.user, listing=listing, featured=featured
        ),
        "Featured." if featured else "No longer featured.",
    )


@login_required
@require_POST
def listing_remove(request, listing_id: int):
    return _listing_action(
        request,
        listing_id,
        lambda listing: services.job_listing_remove(
            staff=request.user, listing=listing, reason=request.POST.get("reason", "")
        ),
        "Removed from the board.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def apply(request, listing_id: int):
    listing = selectors.listing_for_viewer(viewer=request.user, listing_id=listing_id)
    form = JobApplicationForm(request.POST or None)
    picked = request.POST.getlist("projects")
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            ids = [int(i) for i in picked]
            application = services.job_application_create(
                applicant=request.user,
                listing=listing,
                message=form.cleaned_data["message"],
                project_ids=ids,
            )
        except ValueError:
            error = "Pick projects from your own published portfolio."
        except (ValidationError, AccessDenied) as exc:
            error = _first_error(exc)
        else:
            flash.success(request, "Application sent.")
            return redirect("hiring:application", application_id=application.pk)
    return render(
        request,
        "hiring/apply.html",
        {
            "listing": listing,
            "form": form,
            "error": error,
            "picked": picked,
            "projects": selectors.applicant_projects(applicant=request.user),
            "max_projects": services.MAX_APPLICATION_PROJECTS,
        },
        status=400 if error else 200,
    )


@login_required
def posted(request):
    return render(
        request,
        "hiring/posted.html",
        {"listings": selectors.listings_of_poster(poster=request.user)},
    )


@login_required
def applied(request):
    return render(
        request,
        "hiring/applied.html",
        {"applications": selectors.applications_of_applicant(applicant=request.user)},
    )


@login_required
def listing_applications(request, listing_id: int):
    listing = selectors.listing_for_viewer(viewer=request.user, listing_id=listing_id)
    state = request.GET.get("state", "")
    state = state if state in JobApplication.State.values else ""
    return render(
        request,
        "hiring/inbox.html",
        {
            "listing": listing,
            "state": state,
            "states": JobApplication.State.choices,
            "applications": selectors.applications_for_listing(
                poster=request.user, listing=listing, state=state
            ),
        },
    )


@login_required
def application_detail(request, application_id: int):
    application = selectors.application_for_party(user=request.user, application_id=application_id)
    is_poster = request.user.pk == application.listing.poster_id
    return render(
        request,
        "hiring/application.html",
        {
            "application": application,
            "is_poster": is_poster,
            "next_states": sorted(services.ALLOWED_TRANSITIONS[application.state])
            if is_poster
            else [],
        },
    )


@login_required
@require_POST
def application_state(request, application_id: int):
    application = selectors.application_for_party(user=request.user, application_id=application_id)
    try:
        services.job_application_set_state(
            poster=request.user, application=application, state=request.POST.get("state", "")
        )
    except (ValidationError, AccessDenied) as exc:
        flash.error(request, _first_error(exc))
    return redirect("hiring:application", application_id=application.pk)


@login_required
@require_POST
def application_message(request, application_id: int):
    application = selectors.application_for_party(user=request.user, application_id=application_id)
    try:
        convo = services.job_application_conversation(user=request.user, application=application)
    except (ValidationError, AccessDenied) as exc:
        flash.error(request, _first_error(exc))
        return redirect("hiring:application", application_id=application.pk)
    return redirect("kiln_messages:conversation", conversation_id=convo.pk)
