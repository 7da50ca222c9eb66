"""The feed's view of portfolio projects (shared as cards, liked, commented on).

The portfolio app owns projects; the feed stores project ids and reads them through these few
functions, so the two apps meet in one place.
"""

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q


def _project_model():
    try:
        return apps.get_model("portfolio", "Project")
    except LookupError:
        return None


def _visible(model, viewer):
    published = Q(state="published")
    if viewer is not None and getattr(viewer, "is_authenticated", False):
        published |= Q(owner_id=viewer.pk)
    return model.objects.filter(published)


def project_for_feed(*, project_id, viewer):
    """The project if it exists and the viewer may see it; else a clear ValidationError."""
    model = _project_model()
    try:
        project_id = int(project_id)
    except (TypeError, ValueError):
        raise ValidationError("That project does not exist.") from None
    project = None
    if model is not None:
        project = _visible(model, viewer).select_related("owner").filter(pk=project_id).first()
    if project is None:
        raise ValidationError("That project does not exist or is not visible to you.")
    return project


def project_owner_id(project) -> int:
    return project.owner_id


def project_cards(ids, viewer) -> dict:
    """{project_id: project with .cover_image} for rich cards: two queries, or none."""
    ids = [i for i in ids if i]
    model = _project_model()
    if not ids or model is None:
        return {}
    image_model = apps.get_model("portfolio", "ProjectImage")
    images = image_model.objects.select_related("asset").prefetch_related("asset__renditions")
    projects = (
        _visible(model, viewer)
        .filter(pk__in=ids)
        .select_related("owner__profile")
        .prefetch_related(Prefetch("images", queryset=images))
    )
    cards = {}
    for project in projects:
        all_images = list(project.images.all())
        first = all_images[0] if all_images else None
        project.cover_image = next((i for i in all_images if i.pk == project.cover_id), first)
        project.image_count = len(all_images)
        cards[project.pk] = project
    return cards
