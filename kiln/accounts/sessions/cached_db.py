"""Django's cached_db session store (Redis first, then the database with a prepared query)."""

from django.contrib.sessions.backends import cached_db

from kiln.accounts.sessions.db import PreparedReadMixin


class SessionStore(PreparedReadMixin, cached_db.SessionStore):
    pass
