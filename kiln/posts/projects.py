"""The feed's view of portfolio projects (shared as cards, liked, commented on).

The portfolio app owns projects; the feed stores project ids and reads them through these few
functions, so the two apps meet in one place.
"""

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q

from kiln.core.access import AccessDenied
from kiln.core.converters import parse_id
from kiln.social.selectors import blocked_user_ids


def _project_model():
    try:
        return apps.get_model("portfolio", "Project")
    except LookupError:
        return None


def _visible(model, viewer, *, blocked=None):
    """Published projects and the viewer's own drafts, never across a block (either way)."""
    published = Q(state="published")
    if viewer is not None and getattr(viewer, "is_authenticated", False):
        published |= Q(owner_id=viewer.pk)
    visible = model.objects.filter(published)
    blocked = blocked_user_ids(viewer) if blocked is None else blocked
    return visible.exclude(owner_id__in=blocked) if blocked else visible


def project_for_feed(*, project_id, viewer):
    """The project if it exists and the viewer may see it; else a clear ValidationError."""
    model = _project_model()
    project_id = parse_id(project_id)
    if project_id is None:
        raise ValidationError("That project does not exist.")
    project = None
    if model is not None:
        project = (
            _visible(model, viewer, blocked=set()).select_related("owner").filter(pk=project_id)
        ).first()
    if project is None:
        raise ValidationError("That project does not exist or is not visible to you.")
    if project.owner_id in blocked_user_ids(viewer):  # as for posts: said plainly, a 403
        raise AccessDenied(f"You can't interact with @{project.owner.username}'s projects.")
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
