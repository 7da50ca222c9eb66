"""Reads for projects, each with its prefetches so a grid of N projects costs a fixed number
of queries."""

import re
from dataclasses import dataclass

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from kiln.core.pagination import CursorPage, paginate_by_id
from kiln.portfolio.models import PortfolioOrder, Project, ProjectImage, ProjectTag
from kiln.social.selectors import blocked_user_ids

PAGE_SIZE = 24  # projects per page of the Portfolio tab
PAGE_SIZE_MAX = 48


def visible_projects_q(viewer, *, blocked: set[int] | None = None) -> Q:
    """The one rule for who sees a project: published work of an active account (a
    deactivated or closing one is hidden), and the viewer's own drafts; never across a
    block, either way (as for posts). `blocked` saves the query when known."""
    visible = Q(state=Project.State.PUBLISHED, owner__is_active=True)
    if viewer is not None and getattr(viewer, "is_authenticated", False):
        visible |= Q(owner_id=viewer.pk)
    blocked = blocked_user_ids(viewer) if blocked is None else blocked
    return visible & ~Q(owner_id__in=blocked) if blocked else visible


def can_view_project(project: Project, viewer, *, blocked: set[int] | None = None) -> bool:
    """`visible_projects_q` for a project already in memory."""
    blocked = blocked_user_ids(viewer) if blocked is None else blocked
    if project.owner_id in blocked:
        return False
    if project.state == Project.State.PUBLISHED:
        return True
    return bool(getattr(viewer, "is_authenticated", False) and viewer.pk == project.owner_id)


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
    rows = _with_images(
        Project.objects.filter(state=Project.State.PUBLISHED, owner__is_active=True)
    ).order_by("-published_at", "-id")[:limit]
    return _annotate_covers(rows)


def _portfolio_queryset(*, owner, viewer) -> QuerySet:
    """The artist's own order (position, then newest first for the rare equal positions);
    the artist also sees their drafts. Grid tiles need no labels, so they are not fetched."""
    queryset = Project.objects.filter(visible_projects_q(viewer), owner=owner)
    images = ProjectImage.objects.select_related("asset").prefetch_related("asset__renditions")
    return (
        queryset.select_related("owner", "owner__profile")
        .prefetch_related(Prefetch("images", queryset=images))
        .order_by("position", "-id")
    )


def lead_project(*, owner) -> Project | None:
    """The first published project in the artist's own order, with its cover: the work a
    shared profile link shows."""
    from django.contrib.auth.models import AnonymousUser

    project = _portfolio_queryset(owner=owner, viewer=AnonymousUser()).first()
    if project is not None:
        project.cover_image = cover_image(project)
    return project


def more_by_artist(*, owner, viewer, exclude_id: int, limit: int = 6) -> list[Project]:
    """A few of the artist's other published works, in their order: the project page's
    "More by this artist". Drafts never show here, even to the artist."""
    rows = (
        _portfolio_queryset(owner=owner, viewer=viewer)
        .filter(state=Project.State.PUBLISHED)
        .exclude(pk=exclude_id)[:limit]
    )
    return _annotate_covers(rows)


def portfolio_projects(*, owner, viewer) -> list[Project]:
    """Every project of the Portfolio tab at once: the artist's "arrange" mode only."""
    return _annotate_covers(_portfolio_queryset(owner=owner, viewer=viewer))


@dataclass(frozen=True)
class PortfolioCursor:
    """Where a page of the Portfolio tab ended: the last project's (position, id), and the
    order version those positions belong to. Written as "<version>_<position>_<id>"."""

    version: int
    position: int
    pk: int

    def __str__(self) -> str:
        return f"{self.version}_{self.position}_{self.pk}"


_CURSOR = re.compile(r"(\d{1,10})_(-?\d{1,10})_(\d{1,19})")


def parse_portfolio_cursor(raw: str | None) -> PortfolioCursor | None:
    """None when there is no cursor; ValueError when it is garbled or forged out of range."""
    if not raw:
        return None
    match = _CURSOR.fullmatch(raw)
    if match is None:
        raise ValueError("That page link is garbled.")
    version, position, pk = (int(part) for part in match.groups())
    if version >= 2**31 or not -(2**31) <= position < 2**31 or not 0 < pk < 2**63:
        raise ValueError("That page link is garbled.")
    return PortfolioCursor(version=version, position=position, pk=pk)


def portfolio_page_size(raw: str | None) -> int:
    """`?size=`, clamped to 1..48; anything unreadable is the default (it changes no data)."""
    try:
        size = int(raw) if raw else PAGE_SIZE
    except (TypeError, ValueError):
        size = PAGE_SIZE
    return max(1, min(size, PAGE_SIZE_MAX))


@dataclass
class PortfolioPage:
    projects: list[Project]
    next_cursor: PortfolioCursor | None
    is_first: bool
    # The artist rearranged the portfolio after the cursor was made: no projects are shown,
    # the page says to reload (positions from two orders can't be compared).
    stale: bool = False

    @property
    def complete(self) -> bool:
        """Every project is on this one page (what drag-to-reorder needs)."""
        return self.is_first and self.next_cursor is None and not self.stale


def portfolio_page(
    *, owner, viewer, after: PortfolioCursor | None = None, size: int = PAGE_SIZE
) -> PortfolioPage:
    """One page of the Portfolio tab, by keyset on (position, id) in the artist's order.

    No OFFSET, so a page costs the same at any depth: 3 queries (projects with their owner
    and order version, images with assets, renditions), 2 for an empty page after a cursor.
    New projects take a position before every other, so they never land in a later page;
    publishing, unpublishing or deleting moves nothing. A reorder bumps the order version;
    the version is read in the same statement as the rows, so a cursor from the old order is
    never applied to the new positions: the page is `stale` instead, and nothing repeats.
    """
    version = Coalesce(
        Subquery(PortfolioOrder.objects.filter(owner=OuterRef("owner")).values("version")[:1]),
        Value(0),
    )
    queryset = _portfolio_queryset(owner=owner, viewer=viewer).annotate(order_version=version)
    if after is not None:
        queryset = queryset.filter(
            Q(position__gt=after.position) | Q(position=after.position, pk__lt=after.pk)
        )
    rows = list(queryset[: size + 1])
    if rows:
        current = rows[0].order_version
    elif after is not None:
        current = _order_version(owner)  # nothing after the cursor: the end, or a new order?
    else:
        current = 0
    if after is not None and after.version != current:
        return PortfolioPage(projects=[], next_cursor=None, is_first=False, stale=True)
    has_more = len(rows) > size
    rows = rows[:size]
    last = rows[-1] if rows else None
    next_cursor = (
        PortfolioCursor(version=current, position=last.position, pk=last.pk) if has_more else None
    )
    return PortfolioPage(
        projects=_annotate_covers(rows), next_cursor=next_cursor, is_first=after is None
    )


def pinned_projects(*, owner, viewer) -> list[Project]:
    """The artist's pinned works (up to MAX_PINNED), in the order they were pinned; a pin on
    a project that went back to draft shows to no one but is kept for when it returns."""
    from kiln.portfolio.services import MAX_PINNED

    rows = (
        _portfolio_queryset(owner=owner, viewer=viewer)
        .filter(pinned_at__isnull=False, state=Project.State.PUBLISHED)
        .order_by("pinned_at", "id")[:MAX_PINNED]
    )
    return _annotate_covers(list(rows))


def _order_version(owner) -> int:
    row = PortfolioOrder.objects.filter(owner_id=owner.pk).values_list("version", flat=True)
    return row.first() or 0


def project_for_view(*, viewer, username: str, project_id: int) -> Project:
    """A published project, or the viewer's own draft; 404 otherwise (drafts don't leak)."""
    project = (
        _with_images(
            Project.objects.filter(
                owner__username__iexact=username, owner__is_active=True, pk=project_id
            )
        )
        .prefetch_related("embeds")
        .first()
    )
    if project is None:
        raise Http404("No such project.")
    if not can_view_project(project, viewer):
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


def project_state_subquery(project_ref):
    """A project's state (None once deleted) as an expression on a project id: a shared
    project's card changes when it is unpublished or deleted (kiln.posts.cards)."""
    return Subquery(Project.objects.filter(pk=project_ref).values("state")[:1])
