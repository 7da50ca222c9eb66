"""Authentication backends: Django's and allauth's, with a cheaper `get_user`.

`get_user` runs on every logged-in request. The stock one builds its SQL through the ORM
each time; here the user comes from a prepared query (see kiln.core.fastdb). The profile is
read on demand (kiln.accounts.selectors.profile_of): JSON timelines never need it.
"""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from kiln.core.fastdb import get_by


def fetch_user(user_id):
    try:
        return get_by(get_user_model(), "pk", int(user_id))
    except (TypeError, ValueError):
        return None


class _PreparedGetUser:
    def get_user(self, user_id):
        user = fetch_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class KilnModelBackend(_PreparedGetUser, ModelBackend):
    """Django's ModelBackend (username and password), with the prepared `get_user`."""


class KilnAllauthBackend(_PreparedGetUser, AuthenticationBackend):
    """allauth's backend (username or email login), with the prepared `get_user`."""
