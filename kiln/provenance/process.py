"""Services for process evidence (issue 17): attach a layered file, WIP stages or a timelapse.

Checks run in the request: they read small containers and one merged image, a fraction of
a second for the files artists make (tests/provenance/test_process.py). Nothing is stored
unless every check passes; a check that fails raises ValidationError with the reason.
"""

from __future__ import annotations

import io
import logging
import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from PIL import Image

from kiln.core.access import AccessDenied

from . import hashing, layered, timelapse
from .models import Appeal, Screening
from .process_models import ProcessEvidence, ProcessStageImage

logger = logging.getLogger("kiln.provenance")

# PDQ bits (of 256) that may differ between the flattened file and the work. Re-encoding and
# resizing move well under 20 bits; unrelated images sit near 128.
MATCH_MAX_DISTANCE = 40
MAX_EVIDENCE_PER_WORK = 5


def _original_bytes(asset) -> bytes:
    with storages["private"].open(asset.original_key) as handle:
        return handle.read()


def match_distance(flat, original: bytes) -> int:
    """Smallest Hamming distance between the flattened file and the work (crops included)."""
    work = hashing.index_hashes(original)
    mine = hashing.query_hashes(flat)
    if not work or not mine:
        raise ValidationError("The image is too flat for a perceptual comparison.")
    return min(hashing.hamming(a.bits, b.bits) for a in mine for b in work)


def _read(upload, limit: int) -> bytes:
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    else:
        upload.seek(0)
        data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(f"That file is over the {limit // (1024 * 1024)} MB limit.")
    return data


def _check_owner(user, asset) -> None:
    if not user.is_authenticated or asset.owner_id != user.pk:
        raise AccessDenied("Only the artist who uploaded this image can attach process evidence.")
    if asset.process_evidence.count() >= MAX_EVIDENCE_PER_WORK:
        raise ValidationError(
            f"A work can carry at most {MAX_EVIDENCE_PER_WORK} pieces of evidence."
        )


def _save(
    *, asset, user, files: list[bytes], appeal_message: str, frames=(), **fields
) -> ProcessEvidence:
    """Write the files, then the row; on any failure remove the files again."""
    private = storages["private"]
    keys: list[str] = []
    try:
        for data in files:
            keys.append(private.save(f"process/{secrets.token_hex(16)}", ContentFile(data)))
        frame_keys = []
        for data in frames:
            frame_keys.append(private.save(f"process/{secrets.token_hex(16)}", ContentFile(data)))
            keys.append(frame_keys[-1])  # so the clean-up below removes them too
        with transaction.atomic():
            evidence = ProcessEvidence.objects.create(
                asset=asset,
                owner=user,
                file_keys=keys[: len(files)],
                frame_keys=frame_keys,
                **fields,
            )
            _appeal_if_held(user=user, asset=asset, message=appeal_message, evidence=evidence)
    except BaseException:
        for key in keys:
            try:
                private.delete(key)
            except OSError:
                logger.warning("could not delete process file %s", key)
        raise
    return evidence


def _appeal_if_held(*, user, asset, message: str, evidence: ProcessEvidence) -> None:
    """Evidence attached to a held work is an appeal: staff see it beside the hold."""
    from .services import appeal_create

    screening = Screening.objects.filter(asset=asset).first()
    if screening is None or screening.state not in (Screening.State.HELD, Screening.State.LABELLED):
        return
    if screening.appeals.filter(state=Appeal.State.OPEN).exists():
        return
    summary = f"Process evidence attached: {evidence.get_kind_display().lower()}"
    if evidence.kind == ProcessEvidence.Kind.TIMELAPSE:
        summary += f" ({evidence.frame_count} frames, {evidence.video_seconds:.0f} s)"
    summary += f" ({evidence.file_format}, match score {evidence.match_score:.2f})."
    appeal_create(user=user, screening=screening, message=(message.strip() + " " + summary).strip())


def process_layered_attach(*, user, asset, upload, filename: str = "", appeal_message: str = ""):
    """Parse a PSD/.kra/.ora/.procreate, flatten it and compare it with the work."""
    _check_owner(user, asset)
    data = _read(upload, layered.MAX_FILE_BYTES)
    try:
        parsed = layered.parse_layered(data, filename)
    except layered.ProcessError as exc:
        raise ValidationError(str(exc)) from exc
    distance = match_distance(parsed.flat, _original_bytes(asset))
    if distance > MATCH_MAX_DISTANCE:
        raise ValidationError(
            f"This file does not match the work: its flattened image differs by {distance} of 256 "
            f"perceptual-hash bits (at most {MATCH_MAX_DISTANCE} would match). Nothing was kept."
        )
    return _save(
        asset=asset,
        user=user,
        files=[data],
        appeal_message=appeal_message,
        kind=ProcessEvidence.Kind.LAYERED,
        file_format=parsed.fmt,
        layer_count=parsed.layers,
        hash_distance=distance,
        match_score=round(1 - distance / 256, 3),
        note=parsed.note,
    )


def process_stages_attach(*, user, asset, uploads, appeal_message: str = ""):
    """2-10 WIP images, oldest first: aligned with the work, each more like it than the last."""
    _check_owner(user, asset)
    datas = [_read(u, 50 * 1024 * 1024) for u in uploads]
    try:
        if not layered.MIN_STAGES <= len(datas) <= layered.MAX_STAGES:
            raise layered.ProcessError(
                f"Attach {layered.MIN_STAGES} to {layered.MAX_STAGES} stages; got {len(datas)}."
            )
        stages = [layered.read_stage(d, i) for i, d in enumerate(datas, 1)]
        final = layered.read_stage(_original_bytes(asset), 0)
        sims = layered.check_stages(stages, final)
    except layered.ProcessError as exc:
        raise ValidationError(str(exc)) from exc
    return _save(
        asset=asset,
        user=user,
        files=datas,
        appeal_message=appeal_message,
        kind=ProcessEvidence.Kind.STAGES,
        file_format="stages",
        stage_count=len(stages),
        match_score=sims[-1],
        stage_similarities=sims,
    )


def _png(rgb) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "PNG")
    return buf.getvalue()


def process_timelapse_attach(*, user, asset, upload, appeal_message: str = ""):
    """An MP4/MOV/WebM timelapse: its end must match the work by perceptual hash, and its
    sampled frames must grow more like the work over the video."""
    _check_owner(user, asset)
    data = _read(upload, timelapse.MAX_FILE_BYTES)
    original = _original_bytes(asset)
    try:
        video = timelapse.read_timelapse(data)
        sims = timelapse.check_progress(video.samples, layered.read_stage(original, 0))
    except layered.ProcessError as exc:
        raise ValidationError(str(exc)) from exc
    # The end of a timelapse can hold the finished work for a moment or end a stroke early:
    # the closer of the last two samples counts.
    distance = min(match_distance(frame, original) for frame in video.samples[-2:])
    if distance > MATCH_MAX_DISTANCE:
        raise ValidationError(
            f"This timelapse does not end with the work: its last frame differs by {distance} "
            f"of 256 perceptual-hash bits (at most {MATCH_MAX_DISTANCE} would match). Nothing "
            "was kept."
        )
    return _save(
        asset=asset,
        user=user,
        files=[data],
        frames=[_png(frame) for frame in video.samples],
        appeal_message=appeal_message,
        kind=ProcessEvidence.Kind.TIMELAPSE,
        file_format=video.fmt,
        stage_count=len(video.samples),
        frame_count=video.frames,
        video_seconds=round(video.seconds, 1),
        hash_distance=distance,
        match_score=round(1 - distance / 256, 3),
        stage_similarities=sims,
        note=f"{video.width}x{video.height}, {len(video.samples)} frames sampled",
    )


SHOWN_TIMELAPSE_FRAMES = 5


def _stage_keys_to_show(evidence: ProcessEvidence) -> list[str]:
    if evidence.kind == ProcessEvidence.Kind.STAGES:
        return list(evidence.file_keys)
    if evidence.kind == ProcessEvidence.Kind.TIMELAPSE:
        # The last samples are the finished work itself: show the way there.
        frames = evidence.frame_keys[:-2]
        n = min(SHOWN_TIMELAPSE_FRAMES, len(frames))
        return [frames[round(i * (len(frames) - 1) / max(n - 1, 1))] for i in range(n)]
    raise ValidationError(
        "A layered file has no stages to show; attach work-in-progress stages or a timelapse."
    )


@transaction.atomic
def process_evidence_show(*, user, evidence: ProcessEvidence, show: bool) -> ProcessEvidence:
    """The artist's choice to show verified stages on the work's page (off by default).

    On: each stage becomes a media asset of its own, processed like any upload (renditions
    with the watermark and rights reservations, screening). Off: those assets are deleted."""
    from kiln.media.services import media_asset_create, media_asset_delete

    evidence = ProcessEvidence.objects.select_for_update().get(pk=evidence.pk)
    if not user.is_authenticated or evidence.owner_id != user.pk:
        raise AccessDenied("Only the artist who attached this evidence can show it.")
    if show == evidence.show_on_work:
        return evidence
    if show:
        private = storages["private"]
        for position, key in enumerate(_stage_keys_to_show(evidence), 1):
            with private.open(key) as handle:
                asset = media_asset_create(owner=user, upload=handle.read())
            ProcessStageImage.objects.create(evidence=evidence, asset=asset, position=position)
    else:
        for shown in evidence.shown.select_related("asset"):
            media_asset_delete(asset=shown.asset)
    evidence.show_on_work = show
    evidence.save(update_fields=["show_on_work"])
    return evidence


def process_stages_delete_for(event) -> None:
    """media's asset_deleting: a deleted work takes the stages shown beside it along."""
    from kiln.media.services import media_asset_delete

    shown = ProcessStageImage.objects.filter(evidence__asset_id=event.asset.pk)
    for stage in shown.select_related("asset"):
        media_asset_delete(asset=stage.asset)
