"""Writes for the shield."""

import logging

from django.db import transaction

from kiln.media.services import media_assets_rebuild_for_owner
from kiln.shield.models import CrawlerToken, WatermarkPreference

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
