"""Reads for notifications: the nav badge and the grouped list."""

from dataclasses import dataclass, field

from kiln.core.fastdb import rows
from kiln.core.pagination import paginate_by_id
from kiln.notifications.models import Notification, NotificationPreference

Kind = Notification.Kind

# Kinds that group: many people doing the same thing to the same object read as one line.
GROUPED_KINDS = {Kind.LIKE, Kind.REPOST, Kind.FOLLOW, Kind.PROJECT_LIKE}
VERBS = {
    Kind.LIKE: "liked your post",
    Kind.REPOST: "reposted your post",
    Kind.QUOTE: "quoted your post",
    Kind.REPLY: "replied to your post",
    Kind.MENTION: "mentioned you",
    Kind.FOLLOW: "followed you",
    Kind.PROJECT_LIKE: "liked your project",
    Kind.PROJECT_COMMENT: "commented on your project",
    Kind.REPOST_FOUND: "uploaded an image that looks like your work",
    Kind.HELD: "An image you uploaded is held for review",
    Kind.JOB_APPLICATION: "applied to your job listing",
    Kind.APPLICATION_UPDATE: "updated your job application",
    Kind.COMMISSION_UPDATE: "updated a commission with you",
    Kind.MODERATION: "Kiln's moderators took a decision about your account",
    Kind.REPORT_OUTCOME: "Kiln's moderators decided on your report",
    Kind.EXPORT_READY: "Your data export is ready to download",
}


def unread_count(*, user) -> int:
    """The nav badge: one COUNT over a partial index of unread rows."""
    if not user.is_authenticated:
        return 0
    # On every page a signed-in reader sees: hand-written, so it skips the ORM's compile step
    # (kiln.core.fastdb); the same statement `.filter(...).count()` would build.
    table = Notification._meta.db_table
    sql = f"SELECT COUNT(*) FROM {table} WHERE recipient_id = %s AND read_at IS NULL"  # noqa: S608
    return rows(sql, [user.pk])[0][0]


@dataclass
class NotificationGroup:
    kind: str
    verb: str
    newest_id: int
    created_at: object
    unread: bool
    actors: list = field(default_factory=list)
    post: object = None  # hydrated post (the liked post, or the reply/mention itself)
    project: object = None


def notification_page(*, user, before=None, size: int = 40) -> tuple[list[NotificationGroup], int]:
    """A page of notifications, newest first, grouped by (kind, post/project) within the page.

    A constant number of queries: the rows with actors and profiles, the posts (hydrated),
    and project cards.
    """
    from kiln.posts.projects import project_cards
    from kiln.posts.selectors import posts_hydrated

    qs = Notification.objects.filter(recipient_id=user.pk).select_related("actor__profile")
    page = paginate_by_id(qs, before=before, size=size)
    groups: dict[tuple, NotificationGroup] = {}
    ordered: list[NotificationGroup] = []
    for row in page.items:
        if row.kind in GROUPED_KINDS:
            key = (row.kind, row.post_id, row.project_id)
        else:
            key = ("single", row.pk)
        group = groups.get(key)
        if group is None:
            group = NotificationGroup(
                kind=row.kind,
                verb=VERBS.get(row.kind, row.kind),
                newest_id=row.pk,
                created_at=row.created_at,
                unread=row.read_at is None,
            )
            group.post_id = row.post_id
            group.project_id = row.project_id
            group.repost_match_id = row.repost_match_id
            group.asset_id = row.asset_id
            groups[key] = group
            ordered.append(group)
        group.unread = group.unread or row.read_at is None
        if all(a.pk != row.actor_id for a in group.actors):
            group.actors.append(row.actor)
    post_ids = list({g.post_id for g in ordered if g.post_id})
    posts = {p.pk: p for p in posts_hydrated(post_ids, user)}
    cards = project_cards([g.project_id for g in ordered if g.project_id], user)
    for group in ordered:
        group.post = posts.get(group.post_id)
        group.project = cards.get(group.project_id)
    # Drop groups whose post is gone or hidden (a block since), but keep follows.
    visible = [g for g in ordered if not g.post_id or g.post is not None]
    return visible, page.next_cursor


def enabled_kinds(*, user) -> set[str]:
    off = set(
        NotificationPreference.objects.filter(user=user, enabled=False).values_list(
            "kind", flat=True
        )
    )
    return set(Kind.values) - off


def notifications_for(*, user):
    """Every notification of this user, ungrouped, with its actor (the client API pages it)."""
    return Notification.objects.filter(recipient_id=user.pk).select_related("actor")
