"""Authentication backends: Django's and allauth's, with a cheaper `get_user`.

`get_user` runs on every logged-in request. The stock one builds its SQL through the ORM
each time; here the user comes from a prepared query (kiln.social.selectors.reader_by_id).
The profile is read on demand (kiln.accounts.selectors.profile_of): JSON timelines never
need it.
"""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth.backends import ModelBackend

from kiln.social.selectors import reader_by_id


def fetch_user(user_id):
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return None
    return reader_by_id(user_id)


class _PreparedGetUser:
    def get_user(self, user_id):
        user = fetch_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class KilnModelBackend(_PreparedGetUser, ModelBackend):
    """Django's ModelBackend (username and password), with the prepared `get_user`."""


class KilnAllauthBackend(_PreparedGetUser, AuthenticationBackend):
    """allauth's backend (username or email login), with the prepared `get_user`."""
