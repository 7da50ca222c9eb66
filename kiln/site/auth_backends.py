"""Authentication backends: Django's and allauth's, with a cheaper `get_user`.

`get_user` runs on every logged-in request. The stock one builds its SQL through the ORM
each time; here the user comes from a prepared query (see kiln.core.fastdb). The profile is
read on demand (kiln.accounts.selectors.profile_of): JSON timelines never need it.
"""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from kiln.core.fastdb import PreparedQuery
from kiln.social.selectors import reader_flag_annotations


def _build_session_user(user_id):
    """The user row, with the flags other apps read about every signed-in reader (the social
    graph's "blocks or mutes anyone": most people never do, and their pages then skip a
    query). They are index probes inside a query that runs anyway."""
    return get_user_model().objects.filter(pk=user_id).annotate(**reader_flag_annotations())


_session_user = PreparedQuery(_build_session_user, "int")


def fetch_user(user_id):
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return None
    found = _session_user(user_id)
    return found[0] if found else None


class _PreparedGetUser:
    def get_user(self, user_id):
        user = fetch_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class KilnModelBackend(_PreparedGetUser, ModelBackend):
    """Django's ModelBackend (username and password), with the prepared `get_user`."""


class KilnAllauthBackend(_PreparedGetUser, AuthenticationBackend):
    """allauth's backend (username or email login), with the prepared `get_user`."""
