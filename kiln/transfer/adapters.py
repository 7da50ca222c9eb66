"""allauth's adapter, taught that a closed account can come back by logging in.

A deactivated account is reactivated by a full login (second factor included). An account
waiting out its deletion grace period is not logged in: after the full login it is sent to a
page that offers to cancel the deletion (the session remembers who proved themselves). Past
the grace period (being deleted, or kept by a legal hold the artist is not told of) the same
page says only that the deletion is pending.
"""

from allauth.core.exceptions import ImmediateHttpResponse
from django.core.exceptions import ValidationError
from django.shortcuts import redirect

from kiln.accounts.adapters import AccountAdapter
from kiln.transfer import services
from kiln.transfer.models import AccountClosure

PENDING_SESSION_KEY = "kiln.transfer.pending_user"


class TransferAccountAdapter(AccountAdapter):
    def pre_login(self, request, user, **kwargs):
        closure = services.closure_of(user)
        if not user.is_active and closure is not None:
            return None  # let the login (and its second factor) go on; login() decides
        return super().pre_login(request, user, **kwargs)

    def login(self, request, user):
        closure = services.closure_of(user)
        if closure is not None and closure.state != AccountClosure.State.DEACTIVATED:
            request.session.cycle_key()
            request.session[PENDING_SESSION_KEY] = user.pk
            raise ImmediateHttpResponse(redirect("transfer:deletion_pending"))
        if closure is not None and closure.state == AccountClosure.State.DEACTIVATED:
            services.account_reactivate(user=user)
        return super().login(request, user)

    def clean_username(self, username, shallow=False):
        username = super().clean_username(username, shallow=shallow)
        if not shallow and services.username_is_retired(username):
            raise ValidationError("That username belonged to a deleted account; it is held.")
        return username
