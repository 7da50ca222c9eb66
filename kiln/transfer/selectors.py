"""Reads for the Your data page."""

from allauth.mfa.models import Authenticator
from django.utils import timezone

from kiln.transfer.models import DataExport


def has_two_factor(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def your_data_context(user) -> dict:
    exports = DataExport.objects.filter(
        owner=user, expires_at__isnull=True
    ) | DataExport.objects.filter(owner=user, expires_at__gt=timezone.now())
    return {"exports": list(exports.order_by("-pk")[:5])}
