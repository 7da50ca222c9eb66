"""Writes for the shield."""

import logging

from django.db import transaction

from kiln.media.services import media_assets_rebuild_for_owner
from kiln.shield.models import CrawlerToken, HoneypotBan, WatermarkPreference

logger = logging.getLogger("kiln.shield")


@transaction.atomic
def watermark_preference_update(
    *, user, enabled: bool, corner: str, opacity: int
) -> WatermarkPreference:
    """Save the artist's watermark choice; re-render their renditions if it changed."""
    if corner not in WatermarkPreference.Corner.values:
        raise ValueError(f"Unknown corner: {corner!r}.")
    if not 10 <= int(opacity) <= 100:
        raise ValueError("Opacity must be between 10 and 100 percent.")
    preference, created = WatermarkPreference.objects.select_for_update().get_or_create(user=user)
    before = (preference.enabled, preference.corner, preference.opacity)
    preference.enabled, preference.corner, preference.opacity = enabled, corner, int(opacity)
    preference.save(update_fields=["enabled", "corner", "opacity", "updated_at"])
    after = (preference.enabled, preference.corner, preference.opacity)
    # Switching off, or changing a mark that is off, does not need a re-render unless it was on.
    visible_change = before != after and (before[0] or after[0])
    if visible_change:
        transaction.on_commit(lambda: media_assets_rebuild_for_owner(owner=user))
    return preference


@transaction.atomic
def crawler_token_create(*, token: str, note: str = "") -> CrawlerToken:
    from kiln.shield.crawlers import crawler_matcher_reset

    instance = CrawlerToken(token=token.strip(), note=note)
    instance.full_clean()
    instance.save()
    transaction.on_commit(crawler_matcher_reset)
    return instance


@transaction.atomic
def honeypot_ban_create(*, client_key: str, user_agent: str, seconds: int) -> HoneypotBan:
    """Refuse images to this client (address + user agent) for `seconds`; a client already
    banned has its ban extended, not doubled."""
    from datetime import timedelta

    from django.utils import timezone

    from kiln.shield.ratelimit import ban_ident, ban_set

    if int(seconds) <= 0:
        raise ValueError("A ban needs a positive number of seconds.")
    ident = ban_ident(client_key=client_key, user_agent=user_agent)
    now = timezone.now()
    expires_at = now + timedelta(seconds=int(seconds))
    ban = (
        HoneypotBan.objects.select_for_update()
        .filter(ident=ident, lifted_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if ban is None:
        ban = HoneypotBan.objects.create(
            ident=ident, client=client_key, user_agent=user_agent[:400], expires_at=expires_at
        )
    else:
        ban.expires_at = expires_at
        ban.save(update_fields=["expires_at"])
    transaction.on_commit(lambda: ban_set(ident=ident, seconds=int(seconds)))
    return ban


@transaction.atomic
def honeypot_ban_lift(*, ban: HoneypotBan, by) -> HoneypotBan:
    """Give the client its images back now (one click in the admin)."""
    from django.utils import timezone

    from kiln.shield.ratelimit import ban_lift

    ban = HoneypotBan.objects.select_for_update().get(pk=ban.pk)
    if ban.lifted_at is None:
        ban.lifted_at, ban.lifted_by = timezone.now(), by
        ban.save(update_fields=["lifted_at", "lifted_by"])
    ident = ban.ident
    transaction.on_commit(lambda: ban_lift(ident=ident))
    return ban
