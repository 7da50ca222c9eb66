"""Trust and safety: the instance's rules, reports grouped into one case per reported item,
actions with their statements of reasons (DSA Art. 17), appeals, and the append-only audit log."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models

from kiln.core.models import BaseModel


class TargetKind(models.TextChoices):
    """What can be reported; each kind has a loader in kiln/moderation/targets.py."""

    POST = "post", "Post"
    PROJECT = "project", "Project"
    IMAGE = "image", "Image"
    PROFILE = "profile", "Profile"
    MESSAGE = "message", "Message"
    JOB = "job", "Job listing"


class Category(models.TextChoices):
    SPAM = "spam", "Spam"
    AI = "ai", "AI-generated work"
    STOLEN = "stolen", "Stolen or reposted work"
    HARASSMENT = "harassment", "Harassment"
    MATURE = "mature", "Mature content not labelled"
    ILLEGAL = "illegal", "Illegal content"
    OTHER = "other", "Something else"


class Rule(models.Model):
    """One of the instance's rules, shown on /about/rules and cited as a ground for actions."""

    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=120)
    text = models.TextField(max_length=1000, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]
        permissions = [
            ("moderate", "Can work the moderation queue"),
            ("administer", "Can manage rules, roles, blocks and read the audit log"),
        ]

    def __str__(self) -> str:
        return self.title


class Case(BaseModel):
    """One reported item in the queue. Every report of the same item while the case is open
    joins it (duplicates merge), so the queue shows each item once with its report count."""

    class State(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    target_kind = models.CharField(max_length=10, choices=TargetKind.choices)
    target_id = models.BigIntegerField()
    # The account the item belongs to (for profiles, the account itself).
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderation_cases"
    )
    category = models.CharField(max_length=12, choices=Category.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moderation_assigned",
    )
    reports_count = models.PositiveIntegerField(default=0)
    resolved_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=300, blank=True)  # told to reporters

    class Meta:
        indexes = [models.Index(fields=["state", "-id"], name="case_queue")]
        constraints = [
            models.UniqueConstraint(
                fields=["target_kind", "target_id"],
                condition=models.Q(state="open"),
                name="case_one_open_per_target",
            )
        ]

    def __str__(self) -> str:
        return f"Case {self.pk}: {self.target_kind} {self.target_id} ({self.state})"


class Report(BaseModel):
    """One notice: from a member, or from anyone through the public form (DSA Art. 16)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moderation_reports",
    )
    reporter_name = models.CharField(max_length=100, blank=True)
    reporter_email = models.EmailField(blank=True)
    category = models.CharField(max_length=12, choices=Category.choices)
    rules = models.ManyToManyField(Rule, blank=True, related_name="+")
    comment = models.TextField(max_length=2000, blank=True)
    url = models.CharField(max_length=500, blank=True)
    # More items from the same account: [{"kind": "post", "id": 123}, ...]
    extra_items = models.JSONField(default=list, blank=True)
    good_faith = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["reporter", "-id"], name="report_by_reporter")]

    def __str__(self) -> str:
        return f"Report {self.pk} on case {self.case_id}"


class Action(BaseModel):
    """A moderation decision and its statement of reasons, shown to the affected account."""

    class Kind(models.TextChoices):
        DISMISS = "dismiss", "No action"
        REMOVE = "remove", "Content removed"
        MATURE = "mature", "Marked as mature"
        LIMIT = "limit", "Account limited"
        SUSPEND = "suspend", "Account suspended"
        WARN = "warn", "Warning"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    target_kind = models.CharField(max_length=10, choices=TargetKind.choices)
    target_id = models.BigIntegerField()
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderation_actions"
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    rule = models.ForeignKey(Rule, null=True, blank=True, on_delete=models.SET_NULL)
    facts = models.TextField(max_length=2000)  # the statement of reasons' facts
    automated = models.BooleanField(default=False)
    reversed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["account", "-id"], name="action_by_account")]

    def __str__(self) -> str:
        return f"{self.kind} on {self.target_kind} {self.target_id}"

    @property
    def is_restriction(self) -> bool:
        return self.kind != self.Kind.DISMISS


class Appeal(BaseModel):
    class State(models.TextChoices):
        OPEN = "open", "Waiting for a moderator"
        UPHELD = "upheld", "Decision kept"
        REVERSED = "reversed", "Decision reversed"

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="appeals")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderation_appeals"
    )
    message = models.TextField(max_length=2000)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["action"],
                condition=models.Q(state="open"),
                name="moderation_appeal_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"Appeal {self.pk} ({self.state})"


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("The audit log is append-only.")

    def delete(self):
        raise PermissionDenied("The audit log is append-only.")

    def bulk_update(self, *args, **kwargs):
        raise PermissionDenied("The audit log is append-only.")


class AuditEntry(BaseModel):
    """Who did what, when and why. Append-only: no path in Kiln updates or deletes a row."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField(max_length=40)  # "report.assign", "action.remove", "appeal.reverse"
    target_kind = models.CharField(max_length=20, blank=True)
    target_id = models.BigIntegerField(null=True, blank=True)
    account_id = models.BigIntegerField(null=True, blank=True)  # a plain id: survives deletion
    category = models.CharField(max_length=12, blank=True)
    reason = models.TextField(blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["-id"], name="audit_newest")]

    def __str__(self) -> str:
        return f"{self.verb} by {self.actor_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionDenied("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("The audit log is append-only.")


class LegalHold(BaseModel):
    """An account whose data must be kept for a legal claim or a legal obligation (GDPR
    Art. 17(3)(b)/(e)): its deletion, once due, keeps everything of it until the hold is
    lifted (kiln/transfer/purge.py). Placed and lifted by staff, each with an audit entry;
    never shown to the account itself."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="legal_holds"
    )
    reason = models.TextField(max_length=2000)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lift_reason = models.TextField(max_length=2000, blank=True)
    # Set by the purge when the account's deletion came due and stopped for this hold.
    deletion_waiting_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=models.Q(lifted_at__isnull=True),
                name="legal_hold_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"Legal hold {self.pk} on {self.account_id}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None
