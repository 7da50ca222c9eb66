"""Authentication backends: Django's and allauth's, with a cheaper `get_user`.

`get_user` runs on every logged-in request. The stock one builds its SQL through the ORM
each time; here the user and their profile (which every page's navigation shows) come from
two prepared queries (see kiln.core.fastdb), and the profile is attached so
`request.user.profile` costs nothing more.
"""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from kiln.core.fastdb import get_by


def fetch_user_with_profile(user_id):
    from kiln.accounts.models import Profile, User

    try:
        user = get_by(get_user_model(), "pk", int(user_id))
    except (TypeError, ValueError):
        return None
    if user is None:
        return None
    profile = get_by(Profile, "pk", user.pk)
    if profile is not None:
        User.profile.related.set_cached_value(user, profile)
        Profile.user.field.set_cached_value(profile, user)
    return user


class _PreparedGetUser:
    def get_user(self, user_id):
        user = fetch_user_with_profile(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class KilnModelBackend(_PreparedGetUser, ModelBackend):
    """Django's ModelBackend (username and password), with the prepared `get_user`."""


class KilnAllauthBackend(_PreparedGetUser, AuthenticationBackend):
    """allauth's backend (username or email login), with the prepared `get_user`."""
