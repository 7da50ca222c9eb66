"""Writes for the cloak: start, cancel, change intensity, remove, run (the worker), sweep.

The job's lease (`locked_until`) is renewed on every progress write, so a live worker keeps
it and a dead one loses it within KILN_CLOAK_LEASE_SECONDS; the sweeper then re-queues it
and the next attempt restarts from the original (nothing was published in between).
"""

from __future__ import annotations

import io
import logging
import secrets
import time
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone

from kiln.cloak.models import CloakJob, CloakPreference, Intensity
from kiln.cloak.selectors import UNAVAILABLE_FOR_ARTISTS
from kiln.cloak.weights import CloakUnavailable, availability
from kiln.core.access import access_owner

logger = logging.getLogger("kiln.cloak")

PREVIEW_SIZE = 1024  # owner-only before/after and AI previews, long side


def _lease_seconds() -> int:
    return int(getattr(settings, "KILN_CLOAK_LEASE_SECONDS", 180))


def _max_attempts() -> int:
    return int(getattr(settings, "KILN_CLOAK_MAX_ATTEMPTS", 3))


def _private():
    return storages["private"]


def _enqueue_run(job_id: int) -> None:
    from kiln.cloak.tasks import cloak_job_run_task

    transaction.on_commit(lambda: cloak_job_run_task.enqueue(job_id=job_id))


def _delete_private_on_commit(keys) -> None:
    keys = [k for k in keys if k]
    if keys:
        transaction.on_commit(lambda: [_private().delete(k) for k in keys])


def _check_intensity(intensity: str) -> None:
    if intensity not in Intensity.values:
        raise ValidationError("Choose a cloak intensity: low, default or high.")


@transaction.atomic
def cloak_job_start(
    *, user, asset, intensity: str = Intensity.DEFAULT, publish_before_done: bool = False
) -> CloakJob:
    """Queue (or re-queue, e.g. with a new intensity) the cloak of `asset`.

    Raises AccessDenied for someone else's asset, ValidationError for a bad intensity, an
    animated image, or when the model files are missing (the reason is in the message).
    """
    access_owner(user=user, owner_id=asset.owner_id, what="this work's cloak")
    _check_intensity(intensity)
    if asset.is_animated:
        raise ValidationError("Animated images cannot be cloaked.")
    reason = availability()
    if reason:
        logger.warning("cloak unavailable: %s", reason)  # the path and command are for staff
        raise ValidationError(f"The cloak is unavailable. {UNAVAILABLE_FOR_ARTISTS}")
    job = CloakJob.objects.select_for_update().filter(asset=asset).first()
    fields = dict(
        intensity=intensity,
        state=CloakJob.State.QUEUED,
        publish_before_done=publish_before_done,
        progress=0.0,
        eta_seconds=None,
        cancel_requested=False,
        attempts=0,
        locked_until=None,
        started_at=None,
        finished_at=None,
        failure_reason="",
    )
    if job is None:
        job = CloakJob.objects.create(asset=asset, owner_id=asset.owner_id, **fields)
    else:
        # A running attempt notices the new generation through its lost lease and stops.
        for k, v in fields.items():
            setattr(job, k, v)
        job.save(update_fields=list(fields))
    _enqueue_run(job.pk)
    return job


def cloak_job_change_intensity(*, user, job: CloakJob, intensity: str) -> CloakJob:
    """Re-cloak from the original at another intensity (the old result stays until then)."""
    return cloak_job_start(
        user=user,
        asset=job.asset,
        intensity=intensity,
        publish_before_done=job.publish_before_done,
    )


@transaction.atomic
def cloak_job_cancel(*, user, job: CloakJob) -> CloakJob:
    """Stop a queued or running job; a running worker stops at its next step."""
    access_owner(user=user, owner_id=job.owner_id, what="this cloak")
    job = CloakJob.objects.select_for_update().get(pk=job.pk)
    if job.state == CloakJob.State.QUEUED:
        job.state, job.locked_until, job.finished_at = (
            CloakJob.State.CANCELLED,
            None,
            timezone.now(),
        )
        job.save(update_fields=["state", "locked_until", "finished_at"])
    elif job.state == CloakJob.State.RUNNING:
        job.cancel_requested = True
        job.save(update_fields=["cancel_requested"])
    return job


@transaction.atomic
def cloak_remove(*, user, asset) -> None:
    """Remove the cloak: renditions are rebuilt from the original, the job and previews go."""
    from kiln.media.models import MediaAsset

    access_owner(user=user, owner_id=asset.owner_id, what="this work's cloak")
    job = CloakJob.objects.select_for_update().filter(asset=asset).first()
    if job is not None:
        _delete_private_on_commit(job.preview_keys.values())
        job.delete()  # a running attempt loses its row and stops at its next step
    asset = MediaAsset.objects.select_for_update().get(pk=asset.pk)
    if asset.master_key:
        old = asset.master_key
        MediaAsset.objects.filter(pk=asset.pk).update(master_key="")
        _delete_private_on_commit([old])
        _enqueue_rebuild_from_original(asset.pk)


def _enqueue_rebuild_from_original(asset_id: int) -> None:
    from kiln.cloak.tasks import cloak_rebuild_task

    transaction.on_commit(lambda: cloak_rebuild_task.enqueue(asset_id=asset_id))


def cloak_rebuild_renditions(*, asset_id: int) -> None:
    """Rebuild an asset's renditions from its current source (the original once uncloaked)."""
    from kiln.media.models import MediaAsset
    from kiln.media.services import media_asset_rebuild_renditions

    asset = MediaAsset.objects.filter(pk=asset_id).first()
    if asset is not None and not asset.master_key:
        media_asset_rebuild_renditions(asset=asset)


@transaction.atomic
def cloak_preference_set(*, user, cloak_by_default: bool, default_intensity: str):
    """The account-wide default for new uploads."""
    if not user.is_authenticated:
        raise ValidationError("Log in to change your cloak settings.")
    _check_intensity(default_intensity)
    pref, _ = CloakPreference.objects.update_or_create(
        user=user,
        defaults={"cloak_by_default": cloak_by_default, "default_intensity": default_intensity},
    )
    return pref


def cloak_sync_project(*, user, project) -> int:
    """Apply a portfolio project's "Cloak this work" choice to each of its images.

    Starts (or re-intensifies) jobs when `project.cloak_requested`, removes cloaks when not.
    Returns how many images changed. When the cloak is unavailable, nothing is started and
    the project still saves (the cloak page shows why).
    """
    changed = 0
    assets = [image.asset for image in project.images.select_related("asset", "asset__cloak_job")]
    for asset in assets:
        job = getattr(asset, "cloak_job", None)  # None when the asset has no job yet
        if project.cloak_requested:
            if (
                job is not None
                and job.intensity == project.cloak_intensity
                and job.state
                in (
                    CloakJob.State.QUEUED,
                    CloakJob.State.RUNNING,
                    CloakJob.State.DONE,
                )
            ):
                continue
            try:
                cloak_job_start(user=user, asset=asset, intensity=project.cloak_intensity)
            except ValidationError as exc:
                logger.info("cloak not started for asset %s: %s", asset.pk, exc.messages)
                continue
            changed += 1
        elif job is not None or asset.master_key:
            cloak_remove(user=user, asset=asset)
            changed += 1
    return changed


# --- The worker ---------------------------------------------------------------------------


def _claim(job_id: int) -> CloakJob | None:
    now = timezone.now()
    with transaction.atomic():
        claimable = Q(state=CloakJob.State.QUEUED) | Q(
            state=CloakJob.State.RUNNING, locked_until__lt=now
        )
        job = (
            CloakJob.objects.select_for_update()
            .filter(claimable, pk=job_id)
            .select_related("asset")
            .first()
        )
        if job is None:
            return None
        if job.attempts >= _max_attempts():
            job.state, job.locked_until = CloakJob.State.FAILED, None
            job.failure_reason = "The cloak stopped before finishing several times. Try again."
            job.save(update_fields=["state", "locked_until", "failure_reason"])
            return None
        job.state = CloakJob.State.RUNNING
        job.locked_until = now + timedelta(seconds=_lease_seconds())
        job.attempts = F("attempts") + 1
        job.started_at = job.started_at or now
        job.progress, job.eta_seconds = 0.0, None
        job.save(
            update_fields=[
                "state",
                "locked_until",
                "attempts",
                "started_at",
                "progress",
                "eta_seconds",
            ]
        )
    job.refresh_from_db(fields=["attempts", "locked_until"])
    return job


class _LeaseLost(Exception):
    pass


class _Reporter:
    """Progress callback: writes progress, ETA and a renewed lease, at most once a second."""

    def __init__(self, job: CloakJob, every: float = 1.0):
        self.job, self.every = job, every
        self.lease = job.locked_until
        self.t0 = time.monotonic()
        self.last = 0.0
        self.cancelled = False

    def progress(self, frac: float) -> None:
        now = time.monotonic()
        if now - self.last < self.every and frac < 1.0:
            return
        self.last = now
        elapsed = now - self.t0
        eta = int(elapsed * (1 - frac) / frac) if frac > 0.02 else None
        new_lease = timezone.now() + timedelta(seconds=_lease_seconds())
        try:
            n = CloakJob.objects.filter(
                pk=self.job.pk, state=CloakJob.State.RUNNING, locked_until=self.lease
            ).update(progress=round(frac, 4), eta_seconds=eta, locked_until=new_lease)
        except OperationalError:  # a busy SQLite: progress is advisory, try next time
            return
        if n == 0:
            raise _LeaseLost()  # cancelled, removed, restarted, or taken by another worker
        self.lease = new_lease

    def cancel(self) -> bool:
        now = time.monotonic()
        if now - self.last < self.every:
            return False
        try:
            row = (
                CloakJob.objects.filter(pk=self.job.pk)
                .values("cancel_requested", "locked_until")
                .first()
            )
        except OperationalError:
            return False
        return row is None or row["cancel_requested"] or row["locked_until"] != self.lease


def _load_original(asset):
    from PIL import Image

    with _private().open(asset.original_key) as handle:
        data = handle.read()
    if asset.original_format == "heic":
        from pillow_heif import register_heif_opener

        register_heif_opener()
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def _save_preview(img, job: CloakJob, kind: str) -> str:
    img = img.copy()
    img.thumbnail((PREVIEW_SIZE, PREVIEW_SIZE))
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False)
    return _private().save(
        f"cloak/{job.pk}/{kind}-{secrets.token_hex(8)}.png", ContentFile(buf.getvalue())
    )


def _config_for(intensity: str):
    from kiln.cloak.attack import CloakConfig

    steps = getattr(settings, "KILN_CLOAK_STEPS", None)  # tests use a few steps
    return CloakConfig.for_intensity(intensity, **({"steps": steps} if steps else {}))


def _finish(job: CloakJob, lease, **fields) -> bool:
    n = CloakJob.objects.filter(pk=job.pk, locked_until=lease).update(
        locked_until=None, finished_at=timezone.now(), **fields
    )
    return n == 1


def cloak_job_run(*, job_id: int) -> bool:
    """The worker's entry point: cloak the 2048 px master, rebuild renditions from it.

    Not atomic: cloaking takes minutes; the lease keeps two workers apart.
    """
    from kiln.cloak.attack import CloakCancelled
    from kiln.cloak.pipeline import cloak_image
    from kiln.media.services import media_asset_rebuild_renditions

    job = _claim(job_id)
    if job is None:
        return False
    rep = _Reporter(job)
    try:
        out = cloak_image(
            _load_original(job.asset),
            intensity=job.intensity,
            progress=rep.progress,
            cancel=rep.cancel,
            config=_config_for(job.intensity),
        )
    except (CloakCancelled, _LeaseLost):
        row = CloakJob.objects.filter(pk=job.pk).values("cancel_requested", "locked_until").first()
        if row and row["cancel_requested"] and row["locked_until"] == rep.lease:
            _finish(job, rep.lease, state=CloakJob.State.CANCELLED, cancel_requested=False)
        return False
    except CloakUnavailable as exc:
        logger.warning("cloak job %s: unavailable: %s", job.pk, exc.reason)
        reason = f"The cloak is unavailable. {UNAVAILABLE_FOR_ARTISTS}"
        _finish(job, rep.lease, state=CloakJob.State.FAILED, failure_reason=reason[:300])
        return False
    except (OSError, ValueError, MemoryError) as exc:
        logger.warning("cloak job %s failed: %s", job.pk, exc)
        reason = f"We couldn't cloak this image ({str(exc)[:120] or type(exc).__name__})."
        _finish(job, rep.lease, state=CloakJob.State.FAILED, failure_reason=reason[:300])
        return False

    old_previews = list(job.preview_keys.values())
    keys = {
        "before": _save_preview(out.original, job, "before"),
        "after": _save_preview(out.image, job, "after"),
        "ai_clean": _save_preview(out.preview_clean, job, "ai-clean"),
        "ai_cloaked": _save_preview(out.preview_cloaked, job, "ai-cloaked"),
    }
    still_ours = CloakJob.objects.filter(pk=job.pk, locked_until=rep.lease).exists()
    if not still_ours:
        for k in keys.values():
            _private().delete(k)
        return False
    # Every public rendition is re-rendered from the cloaked master; the media service
    # deletes the uncloaked files on commit.
    t0 = time.perf_counter()
    media_asset_rebuild_renditions(asset=job.asset, master=out.image)
    report = dict(out.report, rebuild_seconds=round(time.perf_counter() - t0, 2))
    if not _finish(
        job,
        rep.lease,
        state=CloakJob.State.DONE,
        progress=1.0,
        eta_seconds=0,
        report=report,
        preview_keys=keys,
        failure_reason="",
    ):
        for k in keys.values():
            _private().delete(k)
        return False
    for k in old_previews:
        _private().delete(k)
    logger.info("cloak job %s done: %s", job.pk, report)
    return True


def cloak_sweep(*, now=None) -> int:
    """Re-queue jobs whose worker died (lease past) or whose enqueue was lost."""
    from kiln.cloak.tasks import cloak_job_run_task

    now = now or timezone.now()
    stale = now - timedelta(seconds=_lease_seconds())
    ids = list(
        CloakJob.objects.filter(
            Q(state=CloakJob.State.RUNNING, locked_until__lt=now)
            | Q(state=CloakJob.State.QUEUED, created_at__lt=stale)
        ).values_list("pk", flat=True)[:200]
    )
    for job_id in ids:
        cloak_job_run_task.enqueue(job_id=job_id)
    return len(ids)
