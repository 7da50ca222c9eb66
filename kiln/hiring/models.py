"""Jobs board and applications (models_commissions.py holds commissions).

State lives on each row with a timestamp per step; only `services.py` changes it.
"""

from django.conf import settings
from django.db import models

from kiln.core.models import BaseModel


class JobListing(BaseModel):
    class RoleType(models.TextChoices):
        FULL_TIME = "full_time", "Full time"
        CONTRACT = "contract", "Contract"
        FREELANCE = "freelance", "Freelance"
        INTERNSHIP = "internship", "Internship"

    class Workplace(models.TextChoices):
        REMOTE = "remote", "Remote"
        HYBRID = "hybrid", "Hybrid"
        ON_SITE = "on_site", "On site"

    class PayPeriod(models.TextChoices):
        HOUR = "hour", "per hour"
        DAY = "day", "per day"
        MONTH = "month", "per month"
        YEAR = "year", "per year"
        PROJECT = "project", "per project"

    class ApplyMethod(models.TextChoices):
        KILN = "kiln", "On Kiln"
        LINK = "link", "On the studio's site"

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        CLOSED = "closed", "Closed"
        REMOVED = "removed", "Removed by moderators"

    poster = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="job_listings"
    )
    title = models.CharField(max_length=120)
    organisation = models.CharField(max_length=120)
    description = models.TextField(max_length=8000)
    # ",illustration,concept-art,": a substring filter that works the same on SQLite and
    # PostgreSQL (JSON containment does not exist on SQLite).
    fields_of_work = models.CharField(max_length=400, blank=True)
    role_type = models.CharField(max_length=12, choices=RoleType.choices)
    workplace = models.CharField(max_length=10, choices=Workplace.choices)
    location = models.CharField(max_length=100, blank=True)
    pay_min = models.PositiveIntegerField()
    pay_max = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    pay_period = models.CharField(max_length=8, choices=PayPeriod.choices)
    deadline = models.DateField()
    apply_method = models.CharField(max_length=5, choices=ApplyMethod.choices)
    apply_url = models.URLField(max_length=300, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    featured = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    # The earlier of the deadline's end and 60 days after publication.
    expires_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["state", "-published_at"], name="job_state_published"),
            models.Index(fields=["poster", "state"], name="job_poster_state"),
        ]

    def __str__(self) -> str:
        return f"Job {self.pk}: {self.title}"

    @property
    def field_slugs(self) -> list[str]:
        return [slug for slug in self.fields_of_work.split(",") if slug]


class JobApplication(BaseModel):
    class State(models.TextChoices):
        NEW = "new", "New"
        SHORTLISTED = "shortlisted", "Shortlisted"
        DECLINED = "declined", "Declined"
        HIRED = "hired", "Hired"

    listing = models.ForeignKey(JobListing, on_delete=models.CASCADE, related_name="applications")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="job_applications"
    )
    message = models.TextField(max_length=2000)
    projects = models.ManyToManyField("portfolio.Project", related_name="+", blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.NEW)
    shortlisted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    hired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["listing", "applicant"], name="job_application_once")
        ]

    def __str__(self) -> str:
        return f"Application {self.pk} to {self.listing_id} ({self.state})"


from kiln.hiring.models_commissions import (  # noqa: E402,F401 - one models module for Django
    CommissionDelivery,
    CommissionReference,
    CommissionRequest,
    CommissionSheet,
    CommissionTier,
)
