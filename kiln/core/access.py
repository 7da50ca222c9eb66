"""Permission helpers shared by every app: `access_*` functions raise, they never return False.

Views and services call these before acting, so a forged id gets the same clear refusal
everywhere. Apps add their own `access_<thing>` helpers built on these errors.
"""

from django.core.exceptions import PermissionDenied


class AccessDenied(PermissionDenied):
    """The user may not do this. The message is shown to them as is."""


def access_owner(*, user, owner_id: int, what: str = "this") -> None:
    if not user.is_authenticated or user.pk != owner_id:
        raise AccessDenied(f"Only the owner can change {what}.")
