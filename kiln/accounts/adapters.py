from allauth.account.adapter import DefaultAccountAdapter
from django.db import transaction

from kiln.accounts.services import profile_ensure


class AccountAdapter(DefaultAccountAdapter):
    """Every new account gets its profile in the same transaction as the user row."""

    @transaction.atomic
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            profile_ensure(user=user)
        return user
