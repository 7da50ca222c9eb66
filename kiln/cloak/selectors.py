"""Reads for the cloak."""

from __future__ import annotations

from dataclasses import dataclass

from kiln.cloak.models import CloakJob, CloakPreference, Intensity
from kiln.cloak.summary import summary_line, weakest_report
from kiln.cloak.weights import availability

# What artists read when the weights are missing: no server path, no command (those are for
# staff, in the admin's cloak job list).
UNAVAILABLE_FOR_ARTISTS = (
    "Cloaking is switched off on this site for now, so new work cannot be cloaked yet. "
    "You can still save and publish; the site administrators can turn it on."
)


def cloak_unavailable_reason() -> str | None:
    """None when the cloak can run; otherwise the technical reason (path, command): staff only."""
    return availability()


def cloak_is_available() -> bool:
    return availability() is None


def cloak_unavailable_for(*, user) -> str | None:
    """None when the cloak can run; otherwise what `user` may read about why not."""
    reason = availability()
    if reason is None:
        return None
    return reason if getattr(user, "is_staff", False) else UNAVAILABLE_FOR_ARTISTS


def cloak_job_for_owner(*, owner, job_id: int) -> CloakJob | None:
    """The job if `owner` owns it (None otherwise: callers answer 404, never 403)."""
    if not owner.is_authenticated:
        return None
    return CloakJob.objects.select_related("asset").filter(pk=job_id, owner=owner).first()


def cloak_job_for_asset(*, asset) -> CloakJob | None:
    return CloakJob.objects.filter(asset=asset).first()


def cloak_jobs_for_owner(*, owner):
    return CloakJob.objects.select_related("asset").filter(owner=owner).order_by("-id")


def cloak_blocks_publication(*, asset_ids) -> set[int]:
    """Asset ids that must not be public yet: a cloak is queued or running and the artist
    did not choose "publish now, cloak when ready"."""
    return set(
        CloakJob.objects.filter(
            asset_id__in=list(asset_ids),
            state__in=[CloakJob.State.QUEUED, CloakJob.State.RUNNING],
            publish_before_done=False,
        ).values_list("asset_id", flat=True)
    )


def cloak_default_for(*, user) -> tuple[bool, str]:
    """(cloak new work by default?, default intensity) for the upload screens."""
    if not user.is_authenticated:
        return False, Intensity.DEFAULT
    pref = CloakPreference.objects.filter(user=user).first()
    if pref is None:
        return False, Intensity.DEFAULT
    return pref.cloak_by_default, pref.default_intensity


def cloak_candidates_for_owner(*, owner, limit: int = 50):
    """The owner's ready, still images that have no cloak yet (for the start forms)."""
    from kiln.media.models import MediaAsset

    return (
        MediaAsset.objects.filter(
            owner=owner, state=MediaAsset.State.READY, is_animated=False, cloak_job__isnull=True
        )
        .prefetch_related("renditions")
        .order_by("-id")[:limit]
    )


@dataclass(frozen=True)
class CloakStatus:
    """What a work's page may truthfully say: "done" only when every image's job finished,
    "pending" only while a real job is queued or running, "" when there is nothing to say."""

    state: str
    summary: str = ""


def cloak_status_for_assets(*, asset_ids) -> CloakStatus:
    ids = list(asset_ids)
    if not ids:
        return CloakStatus("")
    jobs = list(CloakJob.objects.filter(asset_id__in=ids).only("asset_id", "state", "report"))
    done = [j for j in jobs if j.state == CloakJob.State.DONE]
    if len(done) == len(ids):
        return CloakStatus("done", summary_line(weakest_report([j.report for j in done])))
    if any(j.is_active for j in jobs):
        return CloakStatus("pending")
    return CloakStatus("")
