"""Writes for provenance: screening an upload, appeals, repost answers, staff decisions."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kiln.core.access import AccessDenied
from kiln.provenance import events

from .models import (
    Appeal,
    Finding,
    ImageFeatures,
    ImageHash,
    RepostMatch,
    Screening,
    TakedownRequest,
)

logger = logging.getLogger(__name__)

POLICIES = ("hold", "label", "allow")
PUBLISHABLE = (Screening.State.CLEAR, Screening.State.LABELLED, Screening.State.RELEASED)
BLOCKING_MATCH_STATES = (
    RepostMatch.State.PENDING,
    RepostMatch.State.TAKEDOWN,
    RepostMatch.State.REMOVED,
)
MAX_MESSAGE = 2000


def ai_policy() -> str:
    policy = str(getattr(settings, "KILN_AI_POLICY", "hold")).lower()
    return policy if policy in POLICIES else "hold"


def min_side() -> int:
    return int(getattr(settings, "KILN_REPOST_MIN_SIDE", 128))


def _read_original(asset) -> bytes:
    from django.core.files.storage import storages

    with storages["private"].open(asset.original_key) as handle:
        return handle.read()


def _analyse(data: bytes):
    """Everything that needs no database: screening, hashes, keypoints, candidate matches."""
    from . import hashing, index, keypoints
    from .screening import screen_bytes

    result = screen_bytes(data)
    t = time.perf_counter()
    hashes, features, candidates = [], None, {}
    try:
        small = hashing.load_rgb(data)
        if min(small.shape[:2]) < min_side():
            # Icons and thumbnails carry too little detail for PDQ or keypoints to tell
            # one apart from another; they are not what reposters steal.
            return result, hashes, features, candidates
        hashes = hashing.index_hashes(small)
        if index._use_keypoints():
            features = keypoints.extract(small)
        candidates = index.matcher().match(small)
    except Exception as exc:  # an undecodable image is the media pipeline's error to report
        result.errors.append(f"hashing: {exc}"[:300])
    result.timings_ms["hashing"] = (time.perf_counter() - t) * 1000
    return result, hashes, features, candidates


def _screening_state(verdict: str, policy: str, previous: Screening | None):
    """The AI side of the hold. Repost holds live on RepostMatch rows (see selectors)."""
    if previous is not None and previous.decided_by_id is not None:
        return previous.state  # a staff decision survives a re-screen of the same file
    if verdict == Screening.Verdict.CLEAN or policy == "allow":
        return Screening.State.CLEAR
    return Screening.State.HELD if policy == "hold" else Screening.State.LABELLED


def provenance_screen_asset(*, asset) -> bool:
    """Screen an asset's original before renditions are made. Returns True if it is held.

    Called by the media worker. Reads every AI-generation signal of the original file, stores
    the findings and the asset's perceptual hashes, records repost matches against other
    artists' works, and decides the hold under KILN_AI_POLICY.
    """
    data = _read_original(asset)
    result, hashes, features, candidates = _analyse(data)
    return _store(
        asset=asset, result=result, hashes=hashes, features=features, candidates=candidates
    )


@transaction.atomic
def _store(*, asset, result, hashes, features, candidates) -> bool:
    from kiln.media.models import MediaAsset

    from . import index, selectors  # selectors import this module's states

    if asset.is_private:
        # A private image (kiln.media's is_private) is screened for AI, but never matched,
        # indexed or registered: its hashes are not kept.
        candidates, hashes, features = {}, [], None
    policy = ai_policy()
    originals = []
    credited = selectors.credited_work(asset_ids=[c for c in candidates if c != asset.pk])
    if credited is not None:
        # The earliest cleared work is the original; if it is the uploader's own, this is a
        # re-upload and nobody else is credited.
        originals = list(
            MediaAsset.objects.filter(pk=credited)
            .exclude(owner_id=asset.owner_id)
            .values_list("pk", "owner_id")
        )
    previous = Screening.objects.select_for_update().filter(asset=asset).first()
    held_before = bool(selectors.held_asset_ids(asset_ids=[asset.pk]))
    verdict = result.verdict
    state = _screening_state(verdict, policy, previous)
    screening, _ = Screening.objects.update_or_create(
        asset=asset,
        defaults={
            "verdict": verdict,
            "state": state,
            "policy": policy,
            "errors": result.errors[:20],
            "timings_ms": {k: round(v, 1) for k, v in result.timings_ms.items()},
        },
    )
    screening.findings.all().delete()
    Finding.objects.bulk_create(
        Finding(
            screening=screening,
            signal=f.signal[:60],
            generator=f.generator[:120],
            model=f.model[:120],
            evidence=f.evidence[:400],
            composite=f.composite,
        )
        for f in result.findings
    )
    ImageHash.objects.filter(asset=asset).delete()
    ImageHash.objects.bulk_create(
        ImageHash(asset=asset, owner_id=asset.owner_id, kind=h.kind, bits=h.bits, quality=h.quality)
        for h in hashes
    )
    if features is not None and len(features):
        ImageFeatures.objects.update_or_create(
            asset=asset, defaults={"owner_id": asset.owner_id, "blob": features.to_bytes()}
        )
    for original_id, owner_id in originals:
        # Credited through a copy of it: report the copy's evidence (what the pixels matched).
        m = candidates.get(original_id) or min(candidates.values(), key=_evidence_rank)
        match, created = RepostMatch.objects.get_or_create(
            upload=asset,
            original_id=original_id,
            defaults={
                "original_artist_id": owner_id,
                "method": m.method,
                "distance": m.distance,
                "inliers": m.inliers,
            },
        )
        if created:
            _notify_original_artist(match=match, uploader=asset.owner)
    _index_sync(asset_id=asset.pk, fresh=True)
    if not hashes:  # private, too flat or too small now: nothing of it stays in the index
        transaction.on_commit(lambda: index.forget(asset.pk))
    held_now = state == Screening.State.HELD or bool(originals)
    if held_now and not held_before:
        events.asset_held.send(events.AssetHeld(asset_id=asset.pk, owner=asset.owner))
    logger.info(
        "provenance: asset %s verdict=%s state=%s matches=%s", asset.pk, verdict, state, originals
    )
    return state == Screening.State.HELD or bool(originals)


def _evidence_rank(m) -> tuple:
    return (m.distance if m.distance is not None else 99, -(m.inliers or 0))


def _index_sync(*, asset_id: int, fresh: bool = False) -> None:
    """Keep the repost index to cleared works. Call inside the transaction that changed the
    asset's screening or repost matches.

    Hash rows are kept for every screened asset (a later release must not re-read the
    original), but processes load only cleared assets' rows. Admission re-inserts the rows,
    so they get new ids that every process's incremental load sees; a work that stops being
    cleared is dropped here on commit, and every search re-checks clearance in the database
    (other processes' copies of the index may still hold it until they rebuild)."""
    from . import index, selectors

    if selectors.cleared_asset_ids(asset_ids=[asset_id]):
        if fresh:  # rows written in this transaction already have new ids
            return
        rows = list(ImageHash.objects.filter(asset_id=asset_id).order_by("id"))
        if rows:
            ImageHash.objects.filter(asset_id=asset_id).delete()
            for row in rows:
                row.pk = None
            ImageHash.objects.bulk_create(rows)
        return
    transaction.on_commit(lambda: index.forget(asset_id))


def _notify_original_artist(*, match: RepostMatch, uploader) -> None:
    events.repost_found.send(
        events.RepostFound(
            match_id=match.pk, original_artist_id=match.original_artist_id, uploader=uploader
        )
    )


def _clean_message(message: str, *, required: bool) -> str:
    message = (message or "").strip()
    if required and not message:
        raise ValidationError("Tell the reviewers why this is your own work.")
    if len(message) > MAX_MESSAGE:
        raise ValidationError(f"Keep the message under {MAX_MESSAGE} characters.")
    return message


@transaction.atomic
def appeal_create(*, user, screening: Screening, message: str) -> Appeal:
    """The artist asks staff to release a held work."""
    screening = Screening.objects.select_for_update().select_related("asset").get(pk=screening.pk)
    if not user.is_authenticated or screening.asset.owner_id != user.pk:
        raise AccessDenied("Only the artist who uploaded this image can appeal.")
    message = _clean_message(message, required=True)
    if screening.state not in (Screening.State.HELD, Screening.State.LABELLED):
        raise ValidationError("This image is not held, so there is nothing to appeal.")
    if screening.appeals.filter(state=Appeal.State.OPEN).exists():
        raise ValidationError("An appeal for this image is already waiting for staff.")
    return Appeal.objects.create(screening=screening, author=user, message=message)


def _require_staff(user) -> None:
    if not (user.is_authenticated and user.is_staff):
        raise AccessDenied("Only staff can review provenance holds.")


@transaction.atomic
def appeal_decide(*, staff, appeal: Appeal, accept: bool, note: str = "") -> Appeal:
    _require_staff(staff)
    appeal = Appeal.objects.select_for_update().select_related("screening").get(pk=appeal.pk)
    if appeal.state != Appeal.State.OPEN:
        raise ValidationError("This appeal has already been decided.")
    now = timezone.now()
    appeal.state = Appeal.State.ACCEPTED if accept else Appeal.State.REJECTED
    appeal.staff_note = (note or "").strip()[:500]
    appeal.decided_by, appeal.decided_at = staff, now
    appeal.save(update_fields=["state", "staff_note", "decided_by", "decided_at"])
    screening = appeal.screening
    screening.state = Screening.State.RELEASED if accept else Screening.State.REJECTED
    screening.decided_by, screening.decided_at = staff, now
    screening.save(update_fields=["state", "decided_by", "decided_at"])
    _index_sync(asset_id=screening.asset_id)
    return appeal


@transaction.atomic
def repost_match_answer(*, user, match: RepostMatch, answer: str, message: str = "") -> RepostMatch:
    """The original artist answers: "takedown" (this is my work) or "fine"."""
    match = RepostMatch.objects.select_for_update().get(pk=match.pk)
    if not user.is_authenticated or match.original_artist_id != user.pk:
        raise AccessDenied("Only the artist of the original work can answer this.")
    if answer not in ("takedown", "fine"):
        raise ValidationError('Answer "takedown" or "fine".')
    if match.state != RepostMatch.State.PENDING:
        raise ValidationError("You have already answered this match.")
    message = _clean_message(message, required=False)
    match.answered_at = timezone.now()
    if answer == "fine":
        match.state = RepostMatch.State.DISMISSED
    else:
        match.state = RepostMatch.State.TAKEDOWN
        TakedownRequest.objects.create(match=match, requested_by=user, message=message)
    match.save(update_fields=["state", "answered_at"])
    _index_sync(asset_id=match.upload_id)
    return match


@transaction.atomic
def takedown_decide(*, staff, takedown: TakedownRequest, remove: bool) -> TakedownRequest:
    _require_staff(staff)
    takedown = (
        TakedownRequest.objects.select_for_update().select_related("match").get(pk=takedown.pk)
    )
    if takedown.state != TakedownRequest.State.OPEN:
        raise ValidationError("This takedown request has already been handled.")
    takedown.state = TakedownRequest.State.DONE if remove else TakedownRequest.State.REFUSED
    takedown.handled_by, takedown.handled_at = staff, timezone.now()
    takedown.save(update_fields=["state", "handled_by", "handled_at"])
    match = takedown.match
    match.state = RepostMatch.State.REMOVED if remove else RepostMatch.State.RELEASED
    match.save(update_fields=["state"])
    if remove:
        # Taken down for good: its hashes leave the index (and the registry) everywhere.
        ImageHash.objects.filter(asset_id=match.upload_id).delete()
        ImageFeatures.objects.filter(asset_id=match.upload_id).delete()
    _index_sync(asset_id=match.upload_id)
    return takedown


def screen_received_original(event) -> None:
    """The media pipeline's `original_received` subscriber: screen before any rendition."""
    provenance_screen_asset(asset=event.asset)
