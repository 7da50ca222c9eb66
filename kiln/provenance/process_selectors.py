"""Reads for process evidence."""

from __future__ import annotations

from .process_models import ProcessEvidence, ProcessStageImage


def evidence_for_asset(*, asset_id: int) -> list[ProcessEvidence]:
    return list(ProcessEvidence.objects.filter(asset_id=asset_id).order_by("-id"))


def process_verified(*, asset_id: int) -> bool:
    """A stored row passed every check (failures are never stored), so any row verifies."""
    return ProcessEvidence.objects.filter(asset_id=asset_id).exists()


def process_files_of_assets(query) -> list[str]:
    """Every private file of these assets' evidence (the uploads and the sampled frames), for
    media's asset_private_files event: they are deleted with the work and with the account."""
    rows = ProcessEvidence.objects.filter(asset_id__in=query.asset_ids)
    return [
        k for keys, frames in rows.values_list("file_keys", "frame_keys") for k in keys + frames
    ]


def shown_stages(*, asset_ids) -> dict[int, list]:
    """The stage assets the artist chose to show beside each of these works, oldest first:
    only those processed and not held by screening (a held stage is withheld like any
    upload). Two queries for a whole project page, plus one for the renditions."""
    from .selectors import held_asset_ids

    ids = [i for i in asset_ids if i]
    if not ids:
        return {}
    rows = (
        ProcessStageImage.objects.filter(evidence__asset_id__in=ids, evidence__show_on_work=True)
        .select_related("asset", "evidence")
        .prefetch_related("asset__renditions")
        .order_by("evidence_id", "position")
    )
    rows = [row for row in rows if row.asset.is_ready]
    held = held_asset_ids(asset_ids=[row.asset_id for row in rows])
    by_work: dict[int, list] = {}
    for row in rows:
        if row.asset_id not in held:
            by_work.setdefault(row.evidence.asset_id, []).append(row.asset)
    return by_work
