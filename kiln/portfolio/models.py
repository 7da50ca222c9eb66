"""Projects: multi-image works in an artist's portfolio, separate from the feed.

Tags of every kind (fields, categories, software, mediums, free tags) live in one indexed table,
so the listing pages are a single indexed join on every database (SQLite has no JSON contains).
"""

from django.conf import settings
from django.db import models

from kiln.core.models import BaseModel
from kiln.portfolio import embeds


class Project(BaseModel):
    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    class CloakIntensity(models.TextChoices):
        # Read by kiln.cloak when it integrates; the portfolio only records the artist's wish.
        LOW = "low", "Low"
        DEFAULT = "default", "Default"
        HIGH = "high", "High"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="projects"
    )
    title = models.CharField(max_length=200, blank=True)  # a draft may be untitled
    description = models.TextField(blank=True)  # plain text, length checked in services
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    is_mature = models.BooleanField(default=False)
    created_on = models.DateField(null=True, blank=True)  # when the artist made the work
    published_at = models.DateTimeField(null=True, blank=True)
    # Set while Kiln's moderators have removed the project (kept as a draft for the appeal):
    # its artist can't publish it again until an appeal restores it.
    removed_at = models.DateTimeField(null=True, blank=True)
    # Set on any change after the first publication; the page then says "Edited".
    edited_at = models.DateTimeField(null=True, blank=True)
    # The artist's own order on the Portfolio tab (ascending); new work goes first.
    position = models.IntegerField(default=0)
    # Pinned to the top of the profile (at most MAX_PINNED per artist), oldest pin first.
    pinned_at = models.DateTimeField(null=True, blank=True)
    cover = models.ForeignKey(
        "portfolio.ProjectImage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cloak_requested = models.BooleanField(default=False)
    cloak_intensity = models.CharField(
        max_length=10, choices=CloakIntensity.choices, default=CloakIntensity.DEFAULT
    )

    class Meta:
        indexes = [
            models.Index(fields=["owner", "position", "id"], name="project_owner_position"),
            models.Index(fields=["state", "-published_at"], name="project_state_published"),
        ]

    def __str__(self) -> str:
        return f"Project {self.pk}: {self.title or '(untitled)'}"

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED


class ProjectImage(BaseModel):
    """One image of a project: an asset the project's owner uploaded, its alt text, its place."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="images")
    # One asset belongs to one project image. RESTRICT: the asset can't be deleted on its
    # own while the project shows it (the portfolio removes it through media_asset_delete),
    # yet deleting the whole account, which cascades to both, still works.
    asset = models.OneToOneField(
        "media.MediaAsset", on_delete=models.RESTRICT, related_name="project_image"
    )
    alt_text = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    is_embed = False  # templates show images and embeds in one list

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"Image {self.asset_id} of project {self.project_id}"


class ProjectTag(models.Model):
    """A label on a project. `slug` is what listings and URLs use; `name` is what people read."""

    class Kind(models.TextChoices):
        FIELD = "field", "Field"
        CATEGORY = "category", "Category"
        SOFTWARE = "software", "Software"
        MEDIUM = "medium", "Medium"
        TAG = "tag", "Tag"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="labels")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    slug = models.CharField(max_length=60)
    name = models.CharField(max_length=60)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "kind", "slug"], name="project_tag_unique")
        ]
        indexes = [models.Index(fields=["kind", "slug"], name="project_tag_listing")]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind}:{self.slug}"


class ProjectEmbed(BaseModel):
    """A video or 3D model from an allow-listed provider, shown in its place among the images.

    Only the provider and its id are kept; the iframe URL is rebuilt from them (embeds.py),
    so nothing the artist typed ever becomes an iframe's src. `position` shares one sequence
    with ProjectImage.position, so images and embeds interleave in the artist's order.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="embeds")
    provider = models.CharField(max_length=20, choices=embeds.PROVIDER_CHOICES)
    video_id = models.CharField(max_length=64)
    alt_text = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "provider", "video_id"], name="project_embed_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.video_id} in project {self.project_id}"

    is_embed = True

    @property
    def key(self) -> str:
        """How the editor form names this embed: provider and id, nothing else."""
        return f"embed:{self.provider}:{self.video_id}"

    @property
    def src(self) -> str:
        return embeds.embed_src(self.provider, self.video_id)

    @property
    def kind_label(self) -> str:
        return embeds.KIND_LABELS.get(self.provider, "Embed")


class PortfolioOrder(models.Model):
    """How many times the artist has rearranged their Portfolio tab.

    Page cursors carry this number: a positions-based cursor means nothing once the order
    changed, so a visitor still scrolling the old order is told to reload instead of being
    shown a project twice (or silently skipping one). No row means version 0.
    """

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="portfolio_order",
    )
    version = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Portfolio order {self.version} of {self.owner_id}"
