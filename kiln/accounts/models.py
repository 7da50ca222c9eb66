from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower

from kiln.accounts.choices import AvailabilityStatus
from kiln.accounts.validators import username_validators
from kiln.core.ids import new_id


class User(AbstractUser):
    """An account. Ids are time-sortable like every other row; usernames unique ignoring case."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    username = models.CharField(max_length=30, unique=True, validators=username_validators)
    # Last time the user read their home timeline: the feed skips fan-out to inactive users.
    last_active_at = models.DateTimeField(null=True, blank=True)
    # Set by moderation ("limit"): hidden from Discover, tags and search; followers still see it.
    is_limited = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
        ]

    def __str__(self) -> str:
        return f"@{self.username}"

    @property
    def handle(self) -> str:
        return f"@{self.username}"


class Profile(models.Model):
    """What an artist shows the world, and what they consent to."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, primary_key=True)
    display_name = models.CharField(max_length=60, blank=True)
    bio = models.TextField(max_length=500, blank=True)
    pronouns = models.CharField(max_length=30, blank=True)
    location = models.CharField(max_length=60, blank=True)
    fields_of_work = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=20, choices=AvailabilityStatus.choices, default=AvailabilityStatus.UNAVAILABLE
    )
    # Validated image files until media assets take over (see the media app).
    avatar = models.ImageField(upload_to="avatars/", blank=True)
    banner = models.ImageField(upload_to="banners/", blank=True)
    # Consent. AI training is always refused and has no field: there is nothing to switch on.
    allow_search_indexing = models.BooleanField(default=True)
    allow_image_search = models.BooleanField(default=False)
    show_likes_publicly = models.BooleanField(default=True)
    show_mature = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.display_name or self.user.username

    @property
    def name(self) -> str:
        return self.display_name or self.user.username


class ProfileLink(models.Model):
    """Up to five links on a profile, shown with their domain."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="links")
    url = models.URLField(max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.url

    @property
    def domain(self) -> str:
        from urllib.parse import urlsplit

        host = urlsplit(self.url).hostname or ""
        return host.removeprefix("www.")


class SignupBlock(models.Model):
    """An email domain or an IP range refused at sign-up. Edited in the moderation pages;
    kept here so the sign-up adapter checks it without importing moderation."""

    class Kind(models.TextChoices):
        DOMAIN = "domain", "Email domain"
        IP = "ip", "IP range"

    kind = models.CharField(max_length=6, choices=Kind.choices)
    value = models.CharField(max_length=253)  # "spam.example" or "203.0.113.0/24"
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="signup_block_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.value}"
