"""Signing a suspended account out everywhere."""

from importlib import import_module

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone


def sessions_revoke(*, user_id: int) -> int:
    """Delete every live session of this account (and its cached copy); returns how many.

    Django keeps no index from user to session, so this reads every live session: fine for
    a rare staff action. Requests that race it are refused anyway (an inactive user fails
    `get_user`)."""
    # SESSION_ENGINE is Django's documented plugin point (a dotted path in settings), loaded
    # the way django.contrib.sessions loads it; not a lookup between Kiln's apps.
    store = import_module(settings.SESSION_ENGINE).SessionStore
    revoked = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user_id):
            store(session.session_key).delete()
            revoked += 1
    return revoked
