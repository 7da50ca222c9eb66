"""Django's database session store, reading the session row with a prepared query.

The session is read on every logged-in request; see kiln.core.fastdb for why.
Expired rows are treated as missing exactly like Django's own store does.
"""

import logging

from django.contrib.sessions.backends import db
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone

from kiln.core.fastdb import get_by


def _live_session(store):
    try:
        session = get_by(store.model, "session_key", store.session_key, using=store._using)
        if session is None or session.expire_date <= timezone.now():
            store._session_key = None
            return None
        return session
    except SuspiciousOperation as error:  # pragma: no cover - mirrors Django's store
        logger = logging.getLogger(f"django.security.{error.__class__.__name__}")
        logger.warning(str(error))
        store._session_key = None
        return None


class PreparedReadMixin:
    @property
    def _using(self):
        from django.db import router

        return router.db_for_read(self.model)

    def _get_session_from_db(self):
        return _live_session(self)


class SessionStore(PreparedReadMixin, db.SessionStore):
    pass
