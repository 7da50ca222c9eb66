from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError
from django.db import transaction

from kiln.accounts.selectors import signup_block_reason
from kiln.accounts.services import profile_ensure


class AccountAdapter(DefaultAccountAdapter):
    """Every new account gets its profile in the same transaction as the user row."""

    @transaction.atomic
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            profile_ensure(user=user)
        return user

    def clean_email(self, email):
        """Sign-up blocks (email domains, IP ranges) kept by moderation in accounts' SignupBlock.
        The client address is the one the shield's middleware resolved (trusted proxies)."""
        email = super().clean_email(email)
        request = getattr(self, "request", None)
        ip = getattr(request, "shield_client_ip", None) or (
            request.META.get("REMOTE_ADDR") if request is not None else None
        )
        reason = signup_block_reason(email=email, ip=ip)
        if reason:
            raise ValidationError(reason)
        return email
