"""The feed's view of portfolio projects (shared as cards, liked, commented on).

The portfolio app owns projects; the feed stores project ids and reads them through these few
functions, so the two apps meet in one place.
"""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch

from kiln.core.access import AccessDenied
from kiln.core.converters import parse_id
from kiln.portfolio.models import Project, ProjectImage
from kiln.portfolio.selectors import cover_image, visible_projects_q
from kiln.social.selectors import blocked_user_ids


def project_for_feed(*, project_id, viewer):
    """The project if it exists and the viewer may see it; else a clear ValidationError."""
    project_id = parse_id(project_id)
    if project_id is None:
        raise ValidationError("That project does not exist.")
    project = (
        # Blocks are checked next, to say so plainly (a 403, as for posts).
        Project.objects.filter(visible_projects_q(viewer, blocked=set()), pk=project_id)
        .select_related("owner")
        .first()
    )
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
    if not ids:
        return {}
    images = ProjectImage.objects.select_related("asset").prefetch_related("asset__renditions")
    projects = (
        Project.objects.filter(visible_projects_q(viewer), pk__in=ids)
        .select_related("owner__profile")
        .prefetch_related(Prefetch("images", queryset=images))
    )
    cards = {}
    for project in projects:
        project.cover_image = cover_image(project)
        project.image_count = len(project.images.all())
        cards[project.pk] = project
    return cards
