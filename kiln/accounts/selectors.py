from django.db.models import QuerySet
from django.http import Http404

from kiln.accounts.models import User


def users_with_profiles() -> QuerySet[User]:
    return User.objects.filter(is_active=True).select_related("profile")


def user_by_username(username: str) -> User:
    """Case-insensitive, active accounts only; anything else is a plain 404."""
    user = (
        users_with_profiles()
        .prefetch_related("profile__links")
        .filter(username__iexact=username)
        .first()
    )
    if user is None:
        raise Http404("No such artist.")
    return user


def demo_artists(limit: int = 12) -> QuerySet[User]:
    return users_with_profiles().order_by("id")[:limit]
