"""Reads for the jobs board: the open listings with filters, one listing for a viewer,
applications for their two parties."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kiln.hiring.models import JobApplication, JobListing
from kiln.portfolio.models import Project, ProjectImage
from kiln.social.selectors import blocked_user_ids

BOARD_LIMIT = 100


def open_listings() -> QuerySet[JobListing]:
    """Published, unexpired listings from active accounts (a suspended poster's vanish)."""
    return JobListing.objects.filter(
        state=JobListing.State.PUBLISHED,
        expires_at__gt=timezone.now(),
        poster__is_active=True,
    ).select_related("poster__profile")


def board(*, viewer, field: str = "", role_type: str = "", workplace: str = "", min_pay=None):
    """Newest first, featured listings first among them; filtered by the board's controls."""
    qs = open_listings()
    if field:
        qs = qs.filter(fields_of_work__contains=f",{field},")
    if role_type:
        qs = qs.filter(role_type=role_type)
    if workplace:
        qs = qs.filter(workplace=workplace)
    if min_pay:
        qs = qs.filter(pay_max__gte=min_pay)
    hidden = blocked_user_ids(viewer)
    if hidden:
        qs = qs.exclude(poster_id__in=hidden)
    return list(qs.order_by("-featured", "-published_at", "-id")[:BOARD_LIMIT])


def listing_for_viewer(*, viewer, listing_id: int) -> JobListing:
    """A listing as `viewer` may see it, else 404: drafts and removed listings to their poster
    (and staff); nothing from a suspended account except to staff; nothing across a block."""
    listing = JobListing.objects.select_related("poster__profile").filter(pk=listing_id).first()
    if listing is None:
        raise Http404("No such job.")
    is_staff = viewer.is_authenticated and viewer.is_staff
    is_poster = viewer.is_authenticated and viewer.pk == listing.poster_id
    if is_staff:
        return listing
    if not listing.poster.is_active:
        raise Http404("No such job.")
    if listing.poster_id in blocked_user_ids(viewer):
        raise Http404("No such job.")
    if listing.state in (JobListing.State.DRAFT, JobListing.State.REMOVED) and not is_poster:
        raise Http404("No such job.")
    return listing


def listings_of_poster(*, poster) -> list[JobListing]:
    return list(
        JobListing.objects.filter(poster=poster)
        .annotate(
            application_count=Count("applications"),
            new_count=Count("applications", filter=Q(applications__state="new")),
        )
        .order_by("-id")
    )


def _application_qs() -> QuerySet[JobApplication]:
    images = ProjectImage.objects.select_related("asset").prefetch_related("asset__renditions")
    projects = Project.objects.prefetch_related(Prefetch("images", queryset=images))
    return JobApplication.objects.select_related(
        "listing__poster__profile", "applicant__profile"
    ).prefetch_related(Prefetch("projects", queryset=projects))


def applications_for_listing(*, poster, listing: JobListing, state: str = ""):
    if listing.poster_id != poster.pk:
        raise Http404("No such job.")
    qs = (
        _application_qs().filter(listing=listing).exclude(applicant_id__in=blocked_user_ids(poster))
    )
    if state:
        qs = qs.filter(state=state)
    return list(qs.order_by("-id"))


def applications_of_applicant(*, applicant) -> list[JobApplication]:
    return list(_application_qs().filter(applicant=applicant).order_by("-id"))


def application_for_party(*, user, application_id: int) -> JobApplication:
    """An application for its applicant or the listing's poster only (404 for anyone else,
    staff included: it is a private exchange; and across a block)."""
    application = _application_qs().filter(pk=application_id).first()
    if application is None or not user.is_authenticated:
        raise Http404("No such application.")
    parties = (application.applicant_id, application.listing.poster_id)
    if user.pk not in parties:
        raise Http404("No such application.")
    other = parties[1] if user.pk == parties[0] else parties[0]
    if other in blocked_user_ids(user):
        raise Http404("No such application.")
    return application


def applicant_projects(*, applicant) -> list[Project]:
    """The applicant's published projects to pick from, newest first."""
    images = ProjectImage.objects.select_related("asset").prefetch_related("asset__renditions")
    return list(
        Project.objects.filter(owner=applicant, state=Project.State.PUBLISHED)
        .prefetch_related(Prefetch("images", queryset=images))
        .order_by("-published_at")[:60]
    )
