"""Reads for projects, each with its prefetches so a grid of N projects costs a fixed number
of queries."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from kiln.core.pagination import CursorPage, paginate_by_id
from kiln.portfolio.models import Project, ProjectImage, ProjectTag


def _with_images(queryset: QuerySet) -> QuerySet:
    images = ProjectImage.objects.select_related("asset").prefetch_related("asset__renditions")
    return queryset.select_related("owner", "owner__profile").prefetch_related(
        Prefetch("images", queryset=images), "labels"
    )


def cover_image(project: Project) -> ProjectImage | None:
    """The chosen cover, else the first image; uses the prefetched images (no query)."""
    images = list(project.images.all())
    for image in images:
        if image.pk == project.cover_id:
            return image
    return images[0] if images else None


def project_items(project: Project) -> list:
    """Images and embeds in the artist's order (both prefetched: no query). An embed sorts
    after an image holding the same position, which only old rows can share."""
    items = [*project.images.all(), *project.embeds.all()]
    return sorted(items, key=lambda item: (item.position, item.is_embed, item.pk))


def _annotate_covers(projects) -> list[Project]:
    projects = list(projects)
    for project in projects:
        project.cover_image = cover_image(project)
    return projects


def recent_public_projects(limit: int = 12) -> list[Project]:
    """Newest published work from everyone: the landing page's grid."""
    rows = _with_images(Project.objects.filter(state=Project.State.PUBLISHED)).order_by(
        "-published_at", "-id"
    )[:limit]
    return _annotate_covers(rows)


def portfolio_projects(*, owner, viewer) -> list[Project]:
    """The artist's own order; the artist also sees their drafts."""
    queryset = Project.objects.filter(owner=owner)
    if not (viewer.is_authenticated and viewer.pk == owner.pk):
        queryset = queryset.filter(state=Project.State.PUBLISHED)
    return _annotate_covers(_with_images(queryset).order_by("position", "-id"))


def project_for_view(*, viewer, username: str, project_id: int) -> Project:
    """A published project, or the viewer's own draft; 404 otherwise (drafts don't leak)."""
    project = (
        _with_images(Project.objects.filter(owner__username__iexact=username, pk=project_id))
        .prefetch_related("embeds")
        .first()
    )
    if project is None:
        raise Http404("No such project.")
    if not project.is_published and not (viewer.is_authenticated and viewer.pk == project.owner_id):
        raise Http404("No such project.")
    project.cover_image = cover_image(project)
    return project


def project_for_edit(*, user, project_id: int) -> Project:
    """The user's own project; someone else's id is a 404, so ids can't be probed."""
    project = (
        _with_images(Project.objects.filter(pk=project_id, owner_id=user.pk))
        .prefetch_related("embeds")
        .first()
    )
    if project is None:
        raise Http404("No such project.")
    return project


def projects_with_label(*, kind: str, slug: str, before: int | None = None) -> CursorPage:
    """Published projects carrying a label, newest first, by cursor."""
    queryset = _with_images(
        Project.objects.filter(
            state=Project.State.PUBLISHED, labels__kind=kind, labels__slug=slug
        ).distinct()
    )
    page = paginate_by_id(queryset, before=before, size=24)
    page.items = _annotate_covers(page.items)
    return page


def label_name(*, kind: str, slug: str) -> str | None:
    label = ProjectTag.objects.filter(kind=kind, slug=slug).only("name").first()
    return label.name if label else None


def viewer_sees_mature(*, viewer, owner_id: int | None = None) -> bool:
    """Mature work is shown unblurred to people who opted in, and to its own artist."""
    if not viewer.is_authenticated:
        return False
    if owner_id is not None and viewer.pk == owner_id:
        return True
    profile = getattr(viewer, "profile", None)
    return bool(profile and profile.show_mature)
