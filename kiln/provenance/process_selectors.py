"""Reads for process evidence."""

from __future__ import annotations

from .process_models import ProcessEvidence


def evidence_for_asset(*, asset_id: int) -> list[ProcessEvidence]:
    return list(ProcessEvidence.objects.filter(asset_id=asset_id).order_by("-id"))


def process_verified(*, asset_id: int) -> bool:
    """A stored row passed every check (failures are never stored), so any row verifies."""
    return ProcessEvidence.objects.filter(asset_id=asset_id).exists()
