import logging
from types import SimpleNamespace

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction

from kiln.accounts import login_limits
from kiln.accounts.selectors import signup_block_reason
from kiln.accounts.services import profile_ensure
from kiln.core.mail import branded_message, site_context

logger = logging.getLogger("kiln.accounts")


class AccountAdapter(DefaultAccountAdapter):
    """Every new account gets its profile in the same transaction as the user row; logins and
    confirmation emails follow Kiln's limits (kiln/accounts/login_limits.py)."""

    @transaction.atomic
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            profile_ensure(user=user)
        return user

    def pre_authenticate(self, request, **credentials):
        # Replaces allauth's per-account lock, which 100 addresses could hold against the owner.
        login = credentials.get("email") or credentials.get("username") or ""
        try:
            login_limits.login_attempt_check(request, login=login)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages[0], code="too_many_login_attempts") from exc

    def post_login(self, request, user, **kwargs):
        response = super().post_login(request, user, **kwargs)
        login_limits.known_device_cookie_set(response, user=user)
        return response

    def send_mail(self, template_prefix, email, context):
        # allauth names the site after the request's host ("Hello from 127.0.0.1:8111!")
        # unless told: the name and domain come from settings instead.
        site = site_context()
        current_site = SimpleNamespace(name=site["site_name"], domain=site["site_domain"])
        super().send_mail(template_prefix, email, {"current_site": current_site, **context})

    def format_email_subject(self, subject):
        return subject  # branded_message adds "[Kiln] "

    def render_mail(self, template_prefix, email, context, headers=None):
        """allauth's text, with Kiln's letterhead as its HTML part (every allauth email)."""
        stock = super().render_mail(template_prefix, email, context, headers=headers)
        return branded_message(
            subject=stock.subject,
            text=stock.body,
            to=stock.to,
            from_email=stock.from_email,
            headers=stock.extra_headers,
        )

    def send_confirmation_mail(self, request, emailconfirmation, signup):
        email = emailconfirmation.email_address.email
        if not login_limits.verification_email_allowed(email):
            logger.warning("confirmation email to %s not sent: domain over its hourly limit", email)
            return
        super().send_confirmation_mail(request, emailconfirmation, signup)

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
