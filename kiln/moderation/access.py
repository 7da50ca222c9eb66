"""The two roles: moderators work the queue; admins also manage rules, roles and blocks, and
read the audit log. Both are Django permissions, granted through the "Moderators" and
"Admins" groups (kiln/moderation/migrations/0002), to staff accounts (is_staff)."""

from kiln.core.access import AccessDenied


def is_moderator(user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff  # provenance's staff services check it too
        and user.has_perm("moderation.moderate")
    )


def is_admin(user) -> bool:
    return bool(is_moderator(user) and user.has_perm("moderation.administer"))


def require_moderator(user) -> None:
    if not is_moderator(user):
        raise AccessDenied("Only moderators can do this.")


def require_admin(user) -> None:
    if not is_admin(user):
        raise AccessDenied("Only admins can do this.")
