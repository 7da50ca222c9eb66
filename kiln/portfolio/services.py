"""Every write to projects. Keyword-only, atomic, ownership checked through kiln.core.access;
file removal happens through the media service, which defers it to commit."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Min
from django.http import Http404
from django.utils import timezone

from kiln.accounts.choices import FIELD_LABELS
from kiln.cloak.selectors import cloak_blocks_publication
from kiln.cloak.services import cloak_sync_project
from kiln.core.access import AccessDenied, access_owner
from kiln.media.models import MediaAsset
from kiln.media.services import media_asset_delete, media_asset_set_work_url
from kiln.portfolio import embeds, taxonomy
from kiln.portfolio.events import ProjectChanged, project_deleted, project_saved
from kiln.portfolio.models import PortfolioOrder, Project, ProjectEmbed, ProjectImage, ProjectTag
from kiln.provenance.selectors import held_asset_ids

TITLE_MAX = 200
DESCRIPTION_MAX = 5000
ALT_MAX = 1500
IMAGES_MAX = 20
LABELS_MAX = 20  # per kind: fields, categories, software, mediums, tags


@dataclass
class ImageInput:
    """One image as the editor sends it: an asset the artist uploaded, and its alt text."""

    asset_id: int
    alt_text: str = ""


@dataclass
class EmbedInput:
    """A video or 3D model: an allow-listed provider and its id (see embeds.parse_embed_url)."""

    provider: str
    video_id: str
    alt_text: str = ""

    @classmethod
    def from_url(cls, url: str, alt_text: str = "") -> "EmbedInput":
        """Parse a pasted link; embeds.EmbedError (a ValueError) names the supported sites."""
        provider, video_id = embeds.parse_embed_url(url)
        return cls(provider=provider, video_id=video_id, alt_text=alt_text)

    @property
    def key(self) -> tuple[str, str]:
        return (self.provider, self.video_id)


@dataclass
class ProjectInput:
    title: str = ""
    description: str = ""
    # The project's items in order: images and embeds mixed, 1-20 together.
    images: list[ImageInput | EmbedInput] = field(default_factory=list)
    cover_asset_id: int | None = None
    fields: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    software: list[str] = field(default_factory=list)
    mediums: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    is_mature: bool = False
    created_on: datetime.date | None = None
    cloak_requested: bool = False
    cloak_intensity: str = Project.CloakIntensity.DEFAULT


def access_project(*, user, project: Project) -> None:
    """Only the owner may change a project. Raises AccessDenied (shown as 403)."""
    access_owner(user=user, owner_id=project.owner_id, what="this project")


# --- validation ----------------------------------------------------------------------------


def _labels(data: ProjectInput) -> list[tuple[str, str, str]]:
    """All labels as (kind, slug, name), normalised and de-duplicated; ValidationError if bad."""
    errors: dict[str, list[str]] = {}
    out: list[tuple[str, str, str]] = []

    def add(kind, form_field, items):
        seen = set()
        for slug, name in items:
            if slug not in seen:
                seen.add(slug)
                out.append((kind, slug, name))
        if len(seen) > LABELS_MAX:
            errors.setdefault(form_field, []).append(f"Choose at most {LABELS_MAX}.")

    unknown_fields = [f for f in data.fields if f not in FIELD_LABELS]
    if unknown_fields:
        errors["fields_of_work"] = ["Choose fields from the list."]
    add(
        ProjectTag.Kind.FIELD,
        "fields_of_work",
        [(f, FIELD_LABELS[f]) for f in data.fields if f in FIELD_LABELS],
    )
    unknown_categories = [c for c in data.categories if c not in taxonomy.CATEGORY_LABELS]
    if unknown_categories:
        errors["categories"] = ["Choose categories from the list."]
    add(
        ProjectTag.Kind.CATEGORY,
        "categories",
        [
            (c, taxonomy.CATEGORY_LABELS[c])
            for c in data.categories
            if c in taxonomy.CATEGORY_LABELS
        ],
    )
    for kind, form_field, normalise in (
        (
            ProjectTag.Kind.SOFTWARE,
            "software",
            lambda r: taxonomy.normalise_named(r, taxonomy.SOFTWARE_ALIASES),
        ),
        (
            ProjectTag.Kind.MEDIUM,
            "mediums",
            lambda r: taxonomy.normalise_named(r, taxonomy.MEDIUM_ALIASES),
        ),
        (ProjectTag.Kind.TAG, "tags", taxonomy.normalise_tag),
    ):
        items = []
        for raw in getattr(data, form_field):
            try:
                item = normalise(raw)
            except ValueError as exc:
                errors.setdefault(form_field, []).append(str(exc))
                continue
            if item:
                items.append(item)
        add(kind, form_field, items)
    if errors:
        raise ValidationError(errors)
    return out


def _validate_text(data: ProjectInput) -> None:
    errors = {}
    if len(data.title.strip()) > TITLE_MAX:
        errors["title"] = [f"Titles are at most {TITLE_MAX} characters."]
    if len(data.description) > DESCRIPTION_MAX:
        errors["description"] = [
            f"The description is {len(data.description):,} characters; the limit is "
            f"{DESCRIPTION_MAX:,}."
        ]
    if len(data.images) > IMAGES_MAX:
        errors["images"] = [
            f"A project has at most {IMAGES_MAX} images and embeds ({len(data.images)} sent)."
        ]
    long_alts = [i + 1 for i, image in enumerate(data.images) if len(image.alt_text) > ALT_MAX]
    if long_alts:
        errors["alt_text"] = [
            f"Alt text is at most {ALT_MAX:,} characters (image {', '.join(map(str, long_alts))})."
        ]
    if data.cloak_intensity not in Project.CloakIntensity.values:
        errors["cloak_intensity"] = ["Choose a cloak intensity from the list."]
    ids = _asset_ids(data)
    if len(set(ids)) != len(ids):
        errors["images"] = ["The same image is listed twice."]
    embed_keys = [item.key for item in data.images if isinstance(item, EmbedInput)]
    if any(not embeds.valid_id(provider, video_id) for provider, video_id in embed_keys):
        errors["images"] = [embeds.UNSUPPORTED]
    elif len(set(embed_keys)) != len(embed_keys):
        errors["images"] = ["The same video or model is listed twice."]
    if data.cover_asset_id is not None and data.cover_asset_id not in ids:
        errors["cover"] = ["The cover must be one of the project's images."]
    if errors:
        raise ValidationError(errors)


def _asset_ids(data: ProjectInput) -> list[int]:
    return [item.asset_id for item in data.images if isinstance(item, ImageInput)]


def _attachable_assets(*, user, project: Project | None, asset_ids: list[int]) -> dict:
    """The assets, locked, after checking each was uploaded by `user` and is used nowhere else.

    Someone else's asset id is refused outright (Takahē once let people attach others' media).
    """
    assets = {a.pk: a for a in MediaAsset.objects.select_for_update().filter(pk__in=asset_ids)}
    foreign = [pk for pk in asset_ids if pk not in assets or assets[pk].owner_id != user.pk]
    if foreign:
        raise AccessDenied("You can only add images that you uploaded.")
    failed = [pk for pk in asset_ids if assets[pk].state == MediaAsset.State.FAILED]
    if failed:
        raise ValidationError({"images": ["An image could not be processed; remove it first."]})
    in_use = ProjectImage.objects.filter(asset_id__in=asset_ids)
    if project is not None:
        in_use = in_use.exclude(project=project)
    if in_use.exists() or _used_outside_portfolio(asset_ids):
        raise ValidationError({"images": ["That image is already used elsewhere."]})
    return assets


def _used_outside_portfolio(asset_ids: list[int]) -> bool:
    """Another app's row that protects the asset (a post attachment, say) makes it off-limits:
    deleting the project would otherwise fail, or delete someone else's use of the file.
    Cascading relations (renditions, screening results) are part of the asset, not uses."""
    # include_hidden: a relation declared with related_name="+" still protects the row.
    for relation in MediaAsset._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete):
            continue  # only reverse relations
        if relation.related_model is ProjectImage or relation.on_delete not in (
            models.PROTECT,
            models.RESTRICT,
        ):
            continue
        lookup = {f"{relation.field.name}__in": asset_ids}
        if relation.related_model._default_manager.filter(**lookup).exists():
            return True
    return False


# Publishing problems the artist fixes by waiting (processing, cloaking, a review) have code
# "wait"; the editor still saves the draft for those. The others ("incomplete") refuse it all.
WAIT = "wait"
INCOMPLETE = "incomplete"


def _publish_problems(project: Project, *, include_cloak: bool = True) -> list[ValidationError]:
    if project.removed_at is not None:
        return [
            ValidationError(
                "Kiln's moderators removed this project, so it can't be published again. "
                "Settings → Account status says why and how to appeal."
            )
        ]
    problems = []
    if not project.title.strip():
        problems.append(ValidationError("Add a title before publishing.", code=INCOMPLETE))
    images = list(project.images.select_related("asset"))
    if not images:
        problems.append(
            ValidationError("Add at least one image before publishing.", code=INCOMPLETE)
        )
    if any(image.asset.state != MediaAsset.State.READY for image in images):
        problems.append(
            ValidationError("Wait until every image has finished processing.", code=WAIT)
        )
    asset_ids = [image.asset_id for image in images]
    if asset_ids and held_asset_ids(asset_ids=asset_ids):
        problems.append(
            ValidationError(
                "An image is held for review, so the project can't be published yet.", code=WAIT
            )
        )
    # A published project that asks for a cloak stays up meanwhile (its renditions are
    # replaced when the cloak is done); only a first publication waits for it.
    if include_cloak and asset_ids and cloak_blocks_publication(asset_ids=asset_ids):
        problems.append(
            ValidationError(
                "An image is still being cloaked; publish when the cloak is done.", code=WAIT
            )
        )
    return problems


def only_waiting(exc: ValidationError) -> bool:
    """True when every problem in `exc` goes away by waiting (see WAIT)."""
    errors = exc.error_list if not hasattr(exc, "error_dict") else exc.error_dict.get("__all__")
    return bool(errors) and all(error.code == WAIT for error in errors)


def _sync_cloak(*, user, project: Project) -> None:
    """Hand the project's "Cloak this work" choice to the cloak app (it owns the jobs)."""
    cloak_sync_project(user=user, project=project)


# --- writes --------------------------------------------------------------------------------


def _point_rights_at_project(project: Project) -> None:
    """Each image's XMP WebStatement names the project page once it is public (the media
    service re-renders on commit, in the background, only where the URL changed)."""
    from django.conf import settings
    from django.urls import reverse

    url = settings.KILN_SITE_URL + reverse(
        "portfolio:project",
        kwargs={"username": project.owner.username, "project_id": project.pk},
    )
    for image in project.images.select_related("asset"):
        media_asset_set_work_url(asset=image.asset, work_url=url)


def _delete_asset(asset: MediaAsset) -> None:
    media_asset_delete(asset=asset)


def _apply(*, user, project: Project, data: ProjectInput) -> bool:
    """Write `data` onto `project`: text, labels, images (attach, detach, order), cover.
    Returns whether anything visible changed."""
    _validate_text(data)
    labels = _labels(data)
    asset_ids = _asset_ids(data)
    _attachable_assets(user=user, project=project, asset_ids=asset_ids)

    changed = False
    scalars = {
        "title": data.title.strip(),
        "description": data.description.strip(),
        "is_mature": data.is_mature,
        "created_on": data.created_on,
        "cloak_requested": data.cloak_requested,
        "cloak_intensity": data.cloak_intensity,
    }
    for name, value in scalars.items():
        if getattr(project, name) != value:
            setattr(project, name, value)
            changed = True

    existing = {image.asset_id: image for image in project.images.select_related("asset")}
    removed = [image for asset_id, image in existing.items() if asset_id not in asset_ids]
    if removed:
        changed = True
        if project.cover_id in {image.pk for image in removed}:
            project.cover = None
        project.save(update_fields=["cover"])
        for image in removed:
            asset = image.asset
            image.delete()
            _delete_asset(asset)
    cover_image = None
    # Positions count images and embeds together, so the two interleave in the given order.
    positions = {id(item): position for position, item in enumerate(data.images)}
    changed |= _apply_embeds(project, data, positions)
    for item in data.images:
        if not isinstance(item, ImageInput):
            continue
        position = positions[id(item)]
        image = existing.get(item.asset_id)
        if image is None:
            image = ProjectImage.objects.create(
                project=project, asset_id=item.asset_id, alt_text=item.alt_text, position=position
            )
            changed = True
        elif image.position != position or image.alt_text != item.alt_text:
            image.position = position
            image.alt_text = item.alt_text
            image.save(update_fields=["position", "alt_text"])
            changed = True
        if item.asset_id == data.cover_asset_id:
            cover_image = image
    new_cover_id = cover_image.pk if cover_image else None
    if project.cover_id != new_cover_id:
        project.cover_id = new_cover_id
        changed = True

    current = {(label.kind, label.slug, label.name) for label in project.labels.all()}
    if current != set(labels):
        changed = True
        project.labels.all().delete()
        ProjectTag.objects.bulk_create(
            ProjectTag(project=project, kind=kind, slug=slug, name=name)
            for kind, slug, name in labels
        )
    return changed


def _apply_embeds(project: Project, data: ProjectInput, positions: dict) -> bool:
    """Add, remove, reorder and re-describe the project's embeds; True if any changed."""
    wanted = [item for item in data.images if isinstance(item, EmbedInput)]
    existing = {(e.provider, e.video_id): e for e in project.embeds.all()}
    keys = {item.key for item in wanted}
    changed = False
    stale = [e.pk for key, e in existing.items() if key not in keys]
    if stale:
        ProjectEmbed.objects.filter(pk__in=stale).delete()
        changed = True
    for item in wanted:
        position = positions[id(item)]
        embed = existing.get(item.key)
        if embed is None:
            ProjectEmbed.objects.create(
                project=project,
                provider=item.provider,
                video_id=item.video_id,
                alt_text=item.alt_text,
                position=position,
            )
            changed = True
        elif embed.position != position or embed.alt_text != item.alt_text:
            embed.position = position
            embed.alt_text = item.alt_text
            embed.save(update_fields=["position", "alt_text"])
            changed = True
    return changed


def _mark_edited(project: Project, changed: bool) -> None:
    if changed and project.is_published:
        project.edited_at = timezone.now()


@transaction.atomic
def project_create(*, owner, data: ProjectInput) -> Project:
    """A new draft at the front of the artist's portfolio."""
    if not owner.is_authenticated:
        raise AccessDenied("Log in to create a project.")
    first = Project.objects.filter(owner=owner).aggregate(first=Min("position"))["first"]
    project = Project.objects.create(owner=owner, position=(first - 1) if first is not None else 0)
    _apply(user=owner, project=project, data=data)
    project.save()
    _sync_cloak(user=owner, project=project)
    project_saved.send(ProjectChanged(project_id=project.pk, owner_id=project.owner_id))
    return project


@transaction.atomic
def project_update(*, user, project: Project, data: ProjectInput) -> Project:
    """Change anything. A published project must stay publishable, and shows "Edited"."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    access_project(user=user, project=project)
    changed = _apply(user=user, project=project, data=data)
    if project.is_published:
        problems = _publish_problems(project, include_cloak=False)
        if problems:
            raise ValidationError({"__all__": problems})
    _mark_edited(project, changed)
    project.save()
    _sync_cloak(user=user, project=project)
    if project.is_published:
        _point_rights_at_project(project)
    project_saved.send(ProjectChanged(project_id=project.pk, owner_id=project.owner_id))
    return project


@transaction.atomic
def project_publish(*, user, project: Project) -> Project:
    project = Project.objects.select_for_update().get(pk=project.pk)
    access_project(user=user, project=project)
    if project.is_published:
        return project
    problems = _publish_problems(project)
    if problems:
        raise ValidationError({"__all__": problems})
    project.state = Project.State.PUBLISHED
    project.published_at = timezone.now()
    project.save(update_fields=["state", "published_at"])
    _point_rights_at_project(project)
    project_saved.send(ProjectChanged(project_id=project.pk, owner_id=project.owner_id))
    return project


@transaction.atomic
def project_unpublish(*, user, project: Project) -> Project:
    """Back to a draft: hidden from everyone but the artist."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    access_project(user=user, project=project)
    project.state = Project.State.DRAFT
    project.save(update_fields=["state"])
    for image in project.images.select_related("asset"):
        # No longer published: the rights point at the profile again, and the provenance
        # registry (published works only) stops naming the artist for it.
        media_asset_set_work_url(asset=image.asset, work_url="")
    project_saved.send(ProjectChanged(project_id=project.pk, owner_id=project.owner_id))
    return project


@transaction.atomic
def project_delete(*, user, project: Project) -> None:
    """The project, its images, and every rendition and original (files go on commit)."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    access_project(user=user, project=project)
    project_deleted.send(ProjectChanged(project_id=project.pk, owner_id=project.owner_id))
    images = list(project.images.select_related("asset"))
    project.cover = None
    project.save(update_fields=["cover"])
    for image in images:
        image.delete()
        _delete_asset(image.asset)
    project.delete()


@transaction.atomic
def project_images_reorder(*, user, project: Project, image_ids: list[int]) -> Project:
    """`image_ids` must be exactly the project's images, in their new order."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    access_project(user=user, project=project)
    images = {image.pk: image for image in project.images.all()}
    if sorted(image_ids) != sorted(images):
        raise ValidationError("The list doesn't match this project's images; reload and retry.")
    changed = False
    # Images take the slots images already hold, so embeds between them keep their places.
    slots = sorted(image.position for image in images.values())
    if len(set(slots)) != len(slots):
        slots = list(range(len(slots)))
    for position, image_id in zip(slots, image_ids, strict=True):
        image = images[image_id]
        if image.position != position:
            image.position = position
            image.save(update_fields=["position"])
            changed = True
    _mark_edited(project, changed)
    project.save(update_fields=["edited_at"])
    return project


@transaction.atomic
def project_set_cover(*, user, project: Project, image_id: int) -> Project:
    project = Project.objects.select_for_update().get(pk=project.pk)
    access_project(user=user, project=project)
    if not project.images.filter(pk=image_id).exists():
        raise ValidationError("The cover must be one of this project's images.")
    changed = project.cover_id != image_id
    project.cover_id = image_id
    _mark_edited(project, changed)
    project.save(update_fields=["cover", "edited_at"])
    return project


@transaction.atomic
def portfolio_reorder(*, user, project_ids: list[int]) -> None:
    """The artist's own order for the Portfolio tab: every one of their projects, in order."""
    if not user.is_authenticated:
        raise AccessDenied("Log in to arrange your portfolio.")
    mine = {p.pk: p for p in Project.objects.select_for_update().filter(owner=user)}
    foreign = [pk for pk in project_ids if pk not in mine]
    if foreign and Project.objects.filter(pk__in=foreign).exists():
        raise AccessDenied("You can only arrange your own projects.")
    if sorted(set(project_ids)) != sorted(mine) or len(project_ids) != len(mine):
        raise ValidationError("The list doesn't match your projects; reload and try again.")
    moved = False
    for position, pk in enumerate(project_ids):
        project = mine[pk]
        if project.position != position:
            project.position = position
            project.save(update_fields=["position"])
            moved = True
    if moved:
        # In the same transaction as the positions: a page cursor made before this reorder
        # can never be read against the new positions (see selectors.portfolio_page).
        PortfolioOrder.objects.get_or_create(owner=user)
        PortfolioOrder.objects.filter(owner=user).update(version=F("version") + 1)


MAX_PINNED = 3


def _own_project(*, user, project_id, lock: bool = False) -> Project:
    """Only the owner pins; anyone else's id is a 404, as on the editor, so ids can't be probed."""
    if not getattr(user, "is_authenticated", False):
        raise AccessDenied("Log in to pin your work.")
    queryset = Project.objects.select_for_update() if lock else Project.objects
    project = queryset.filter(pk=project_id, owner_id=user.pk).first()
    if project is None:
        raise Http404("No such project.")
    return project


@transaction.atomic
def project_pin(*, user, project_id) -> Project:
    """Pin a published project to the top of the owner's profile (at most MAX_PINNED)."""
    project = _own_project(user=user, project_id=project_id, lock=True)
    if project.pinned_at is not None:
        return project
    if project.state != Project.State.PUBLISHED:
        raise ValidationError("Publish the project before pinning it.")
    # Lock the owner's row so two pins at once can't both see room for a third.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if Project.objects.filter(owner_id=user.pk, pinned_at__isnull=False).count() >= MAX_PINNED:
        raise ValidationError(
            f"You can pin up to {MAX_PINNED} works. Unpin one first, then pin this one."
        )
    project.pinned_at = timezone.now()
    project.save(update_fields=["pinned_at"])
    return project


@transaction.atomic
def project_unpin(*, user, project_id) -> Project:
    project = _own_project(user=user, project_id=project_id)
    if project.pinned_at is not None:
        project.pinned_at = None
        project.save(update_fields=["pinned_at"])
    return project


@transaction.atomic
def portfolio_move(*, user, project: Project, offset: int) -> None:
    """Keyboard-friendly reorder: move one project `offset` places (-1 earlier, +1 later)."""
    access_project(user=user, project=project)
    ids = list(
        Project.objects.filter(owner=user).order_by("position", "-id").values_list("pk", flat=True)
    )
    index = ids.index(project.pk)
    target = max(0, min(len(ids) - 1, index + offset))
    ids.insert(target, ids.pop(index))
    portfolio_reorder(user=user, project_ids=ids)
