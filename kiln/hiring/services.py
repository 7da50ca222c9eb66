"""Writes for the jobs board: listings (draft, publish, close, feature, remove) and
applications (apply, shortlist, decline, hire). Commissions are in commission_services.py."""

import re
from datetime import date, datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kiln.accounts.choices import FIELD_LABELS
from kiln.core.access import AccessDenied
from kiln.hiring.models import JobApplication, JobListing
from kiln.messages.services import conversation_open_for_context
from kiln.notifications.models import Notification
from kiln.notifications.services import notification_create
from kiln.portfolio.models import Project
from kiln.social.selectors import is_blocked_between

LISTING_LIFETIME = timedelta(days=60)
MAX_APPLICATION_PROJECTS = 5
# Refused in a listing's title or description: Kiln's jobs are for work made by people.
# A word list is easy to get around, which is why moderators can also remove listings.
AI_WORK = re.compile(
    r"\b(prompt(ing)?\s+(engineer|artist|designer|writer)s?|prompt\s+engineering|"
    r"(ai|ml)\s+training\s+data|training[-\s]data|data\s*set\s+(creation|labell?ing)|"
    r"midjourney|stable\s+diffusion|dall-?e|ai[-\s]generated|generative\s+ai|"
    r"(train|fine[-\s]?tune)\s+(an?\s+)?(ai|model|lora)s?|lora\s+training)\b",
    re.IGNORECASE,
)
ALLOWED_TRANSITIONS = {
    JobApplication.State.NEW: {JobApplication.State.SHORTLISTED, JobApplication.State.DECLINED},
    JobApplication.State.SHORTLISTED: {JobApplication.State.DECLINED, JobApplication.State.HIRED},
    JobApplication.State.DECLINED: {JobApplication.State.SHORTLISTED},
    JobApplication.State.HIRED: set(),
}
LISTING_FIELDS = [
    "title",
    "organisation",
    "description",
    "fields_of_work",
    "role_type",
    "workplace",
    "location",
    "pay_min",
    "pay_max",
    "currency",
    "pay_period",
    "deadline",
    "apply_method",
    "apply_url",
]


def max_active_listings() -> int:
    return settings.KILN_JOBS_MAX_ACTIVE


def _require_verified(user) -> None:
    if not user.is_authenticated or not user.is_active:
        raise AccessDenied("Log in to post a job.")
    if not EmailAddress.objects.filter(user=user, verified=True).exists():
        raise AccessDenied("Verify your email address before posting a job.")


def _clean_listing(data: dict) -> dict:
    """Every rule a listing must meet; raises one ValidationError naming each problem."""
    errors: dict[str, str] = {}
    clean = {name: data.get(name) for name in LISTING_FIELDS}
    for name in ("title", "organisation", "description", "location", "apply_url", "currency"):
        clean[name] = (clean[name] or "").strip()
    for name, label in (("title", "a title"), ("organisation", "the studio or client name")):
        if not clean[name]:
            errors[name] = f"Give {label}."
    if len(clean["description"]) < 30:
        errors["description"] = "Describe the work in at least 30 characters."
    text = f"{clean['title']} {clean['description']}"
    if AI_WORK.search(text):
        errors["description"] = (
            "Kiln lists work made by people. Listings for AI prompting or training-data work "
            "are not allowed."
        )
    if not data.get("human_made"):
        errors["human_made"] = "Confirm that the work will be made by people."
    fields = [f for f in (clean["fields_of_work"] or []) if f]
    if any(f not in FIELD_LABELS for f in fields):
        errors["fields_of_work"] = "Pick fields of work from the list."
    clean["fields_of_work"] = ("," + ",".join(fields) + ",") if fields else ""
    for name, choices in (
        ("role_type", JobListing.RoleType),
        ("workplace", JobListing.Workplace),
        ("pay_period", JobListing.PayPeriod),
        ("apply_method", JobListing.ApplyMethod),
    ):
        if clean[name] not in choices.values:
            errors[name] = f"Choose the {name.replace('_', ' ')}."
    if clean["workplace"] in ("hybrid", "on_site") and not clean["location"]:
        errors["location"] = "Say where the work is, for a hybrid or on-site role."
    pay_min, pay_max = clean["pay_min"], clean["pay_max"]
    if not pay_min or not pay_max:
        errors["pay_min"] = "Give a pay range: every listing on Kiln states its pay."
    elif pay_min < 1 or pay_max < pay_min:
        errors["pay_min"] = "The pay range must run from a lower to a higher amount above 0."
    clean["currency"] = clean["currency"].upper()
    if not re.fullmatch(r"[A-Z]{3}", clean["currency"]):
        errors["currency"] = "Give the currency as a three-letter code, such as EUR or USD."
    deadline = clean["deadline"]
    if not isinstance(deadline, date):
        errors["deadline"] = "Give a closing date."
    elif deadline < timezone.localdate():
        errors["deadline"] = "The closing date is in the past."
    if clean["apply_method"] == JobListing.ApplyMethod.LINK:
        if not clean["apply_url"].startswith(("https://", "http://")):
            errors["apply_url"] = "Give the web address where people apply."
    else:
        clean["apply_url"] = ""
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def job_listing_save(*, poster, data: dict, listing: JobListing | None = None) -> JobListing:
    """Create a draft, or edit one of the poster's own listings (not a removed one)."""
    _require_verified(poster)
    if listing is not None:
        if listing.poster_id != poster.pk:
            raise AccessDenied("Only the poster can edit this listing.")
        if listing.state == JobListing.State.REMOVED:
            raise AccessDenied("Moderators removed this listing; it can't be edited.")
    clean = _clean_listing(data)
    if listing is None:
        return JobListing.objects.create(poster=poster, **clean)
    for name, value in clean.items():
        setattr(listing, name, value)
    if listing.state == JobListing.State.PUBLISHED:
        listing.expires_at = _expiry(listing.published_at, listing.deadline)
    listing.save()
    return listing


def _expiry(published_at: datetime, deadline: date) -> datetime:
    end_of_deadline = timezone.make_aware(datetime.combine(deadline, time.max))
    return min(published_at + LISTING_LIFETIME, end_of_deadline)


def active_listing_count(*, poster) -> int:
    return JobListing.objects.filter(
        poster=poster, state=JobListing.State.PUBLISHED, expires_at__gt=timezone.now()
    ).count()


@transaction.atomic
def job_listing_publish(*, poster, listing: JobListing) -> JobListing:
    _require_verified(poster)
    listing = JobListing.objects.select_for_update().get(pk=listing.pk)
    if listing.poster_id != poster.pk:
        raise AccessDenied("Only the poster can publish this listing.")
    if listing.state != JobListing.State.DRAFT:
        raise ValidationError("Only a draft can be published.")
    if listing.deadline < timezone.localdate():
        raise ValidationError("The closing date is in the past: edit it first.")
    limit = max_active_listings()
    if active_listing_count(poster=poster) >= limit:
        raise ValidationError(
            f"You have {limit} active listings, the most an account can have at once. "
            "Close one first."
        )
    now = timezone.now()
    listing.state = JobListing.State.PUBLISHED
    listing.published_at = now
    listing.expires_at = _expiry(now, listing.deadline)
    listing.save(update_fields=["state", "published_at", "expires_at"])
    return listing


@transaction.atomic
def job_listing_close(*, poster, listing: JobListing) -> JobListing:
    listing = JobListing.objects.select_for_update().get(pk=listing.pk)
    if listing.poster_id != poster.pk:
        raise AccessDenied("Only the poster can close this listing.")
    if listing.state != JobListing.State.PUBLISHED:
        raise ValidationError("Only a published listing can be closed.")
    listing.state = JobListing.State.CLOSED
    listing.closed_at = timezone.now()
    listing.save(update_fields=["state", "closed_at"])
    return listing


def _require_staff(user) -> None:
    if not (user.is_authenticated and user.is_staff):
        raise AccessDenied("Only moderators can do this.")


@transaction.atomic
def job_listing_feature(*, staff, listing: JobListing, featured: bool) -> JobListing:
    _require_staff(staff)
    listing.featured = featured
    listing.save(update_fields=["featured"])
    return listing


@transaction.atomic
def job_listing_remove(*, staff, listing: JobListing, reason: str) -> JobListing:
    _require_staff(staff)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give the reason for removing the listing.")
    listing.state = JobListing.State.REMOVED
    listing.removed_at = timezone.now()
    listing.removed_reason = reason[:300]
    listing.featured = False
    listing.save(update_fields=["state", "removed_at", "removed_reason", "featured"])
    return listing


def listing_is_open(listing: JobListing) -> bool:
    return (
        listing.state == JobListing.State.PUBLISHED
        and listing.expires_at is not None
        and listing.expires_at > timezone.now()
        and listing.poster.is_active
    )


@transaction.atomic
def job_application_create(
    *, applicant, listing: JobListing, message: str, project_ids
) -> JobApplication:
    """Apply on Kiln with a short message and up to five of one's own published projects."""
    if not applicant.is_authenticated:
        raise AccessDenied("Log in to apply.")
    if not listing_is_open(listing):
        raise ValidationError("This listing is closed.")
    if listing.apply_method != JobListing.ApplyMethod.KILN:
        raise ValidationError("This listing takes applications on the studio's own site.")
    if applicant.pk == listing.poster_id:
        raise ValidationError("You can't apply to your own listing.")
    if is_blocked_between(applicant.pk, listing.poster_id):
        raise AccessDenied("You can't apply to this listing.")
    message = (message or "").strip()
    if not message:
        raise ValidationError("Write a short message to the studio.")
    if len(message) > 2000:
        raise ValidationError("Keep the message under 2,000 characters.")
    ids = list(dict.fromkeys(int(i) for i in project_ids))
    if len(ids) > MAX_APPLICATION_PROJECTS:
        raise ValidationError(f"Pick at most {MAX_APPLICATION_PROJECTS} projects.")
    projects = list(
        Project.objects.filter(pk__in=ids, owner=applicant, state=Project.State.PUBLISHED)
    )
    if len(projects) != len(ids):
        raise ValidationError("Pick projects from your own published portfolio.")
    try:
        with transaction.atomic():
            application = JobApplication.objects.create(
                listing=listing, applicant=applicant, message=message
            )
    except IntegrityError as exc:
        raise ValidationError("You have already applied to this listing.") from exc
    application.projects.set(projects)
    notification_create(
        recipient_id=listing.poster_id, actor=applicant, kind=Notification.Kind.JOB_APPLICATION
    )
    return application


@transaction.atomic
def job_application_set_state(*, poster, application: JobApplication, state: str):
    application = JobApplication.objects.select_for_update().get(pk=application.pk)
    listing = application.listing
    if not poster.is_authenticated or poster.pk != listing.poster_id:
        raise AccessDenied("Only the listing's poster can change an application.")
    if state not in ALLOWED_TRANSITIONS.get(application.state, set()):
        raise ValidationError(
            f"An application that is {application.get_state_display().lower()} can't become "
            f"{state}."
        )
    application.state = state
    stamp = f"{state}_at"
    setattr(application, stamp, timezone.now())
    application.save(update_fields=["state", stamp])
    notification_create(
        recipient_id=application.applicant_id,
        actor=poster,
        kind=Notification.Kind.APPLICATION_UPDATE,
    )
    return application


def job_application_conversation(*, user, application: JobApplication):
    """The thread between the poster and the applicant about this application."""
    listing = application.listing
    if user.pk not in (listing.poster_id, application.applicant_id):
        raise AccessDenied("Only the poster and the applicant can talk about an application.")
    other = application.applicant if user.pk == listing.poster_id else listing.poster
    return conversation_open_for_context(
        starter=user,
        other=other,
        context_key=f"application:{application.pk}",
        subject=f"Application: {listing.title}",
        context_url=f"/jobs/applications/{application.pk}",
    )
