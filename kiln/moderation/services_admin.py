"""Admin writes: the rule book, the two roles, and sign-up blocks. Audit-logged like the rest."""

from __future__ import annotations

import ipaddress

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from kiln.accounts.models import SignupBlock, User
from kiln.core.access import AccessDenied

from .access import require_admin
from .audit import audit_record
from .defaults import defaults_ensure
from .models import Rule

ROLES = ("none", "moderator", "admin")


@transaction.atomic
def rule_save(*, admin, rule: Rule | None = None, title: str, text: str = "", active=True) -> Rule:
    require_admin(admin)
    title, text = (title or "").strip(), (text or "").strip()
    if not title or len(title) > 120:
        raise ValidationError("A rule needs a title of at most 120 characters.")
    if len(text) > 1000:
        raise ValidationError("Keep the explanation under 1000 characters.")
    if rule is None:
        last = Rule.objects.order_by("-position").first()
        rule = Rule(position=(last.position + 1) if last else 0)
    rule.title, rule.text, rule.is_active = title, text, bool(active)
    rule.save()
    audit_record(actor=admin, verb="rule.save", target_kind="rule", target_id=rule.pk, reason=title)
    return rule


@transaction.atomic
def role_set(*, admin, username: str, role: str) -> User:
    """Make an account a moderator, an admin, or neither. Staff status follows the role."""
    require_admin(admin)
    if role not in ROLES:
        raise ValidationError("Choose none, moderator or admin.")
    user = User.objects.filter(username__iexact=(username or "").strip().lstrip("@")).first()
    if user is None:
        raise ValidationError("No account with that username.")
    if user.pk == admin.pk:
        raise AccessDenied("You can't change your own role.")
    moderators, admins = defaults_ensure()
    user.groups.remove(moderators, admins)
    if role != "none":
        user.groups.add(admins if role == "admin" else moderators)
    user.is_staff = role != "none" or user.is_superuser
    user.save(update_fields=["is_staff"])
    audit_record(
        actor=admin,
        verb="role.set",
        target_kind="account",
        target_id=user.pk,
        account_id=user.pk,
        reason=role,
    )
    return user


def _clean_block(kind: str, value: str) -> str:
    value = (value or "").strip().lower()
    if kind == SignupBlock.Kind.DOMAIN:
        value = value.lstrip("@").rstrip(".")
        if "." not in value or " " in value or "/" in value or len(value) > 253:
            raise ValidationError("Give a domain such as spam.example.")
        return value
    if kind == SignupBlock.Kind.IP:
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ValidationError("Give an address or a range such as 203.0.113.0/24.") from None
        if network.prefixlen < (8 if network.version == 4 else 16):
            raise ValidationError("That range is too wide to block.")
        return str(network)
    raise ValidationError("Choose an email domain or an IP range.")


@transaction.atomic
def signup_block_add(*, admin, kind: str, value: str, note: str = "") -> SignupBlock:
    require_admin(admin)
    value = _clean_block(kind, value)
    try:
        with transaction.atomic():
            block = SignupBlock.objects.create(kind=kind, value=value, note=(note or "")[:200])
    except IntegrityError:
        raise ValidationError("That is already blocked.") from None
    audit_record(actor=admin, verb="signup_block.add", target_kind=kind, reason=value)
    return block


@transaction.atomic
def signup_block_remove(*, admin, block: SignupBlock) -> None:
    require_admin(admin)
    audit_record(
        actor=admin, verb="signup_block.remove", target_kind=block.kind, reason=block.value
    )
    block.delete()
