"""Writes for media assets: upload, process, rebuild, retry, sweep, delete.

Files and rows are ordered so that a crash at any point loses nothing and leaks nothing:
- upload: the original is stored, then the row is created; a refusal stores nothing;
- processing: rendition keys are recorded on the row (`pending_keys`), the files are written,
  then the Rendition rows are committed; the next attempt deletes pending files no row uses;
- deletes of old files always happen on commit.
"""

import hashlib
import io
import logging
import secrets
from datetime import timedelta

import pyvips
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from kiln.core.worker import current_worker_id
from kiln.media import events, imaging
from kiln.media.models import MediaAsset, Rendition
from kiln.media.rights import rights_for_owner
from kiln.media.validation import probe_image

logger = logging.getLogger("kiln.media")

ORIGINAL_EXTENSIONS = {"jpeg": "jpg", "png": "png", "gif": "gif", "webp": "webp", "avif": "avif"}
ORIGINAL_EXTENSIONS["heic"] = "heic"

POISONED = (
    "This file stopped our image processor every time it was tried, so Kiln won't try it "
    "again. Export the image again (for example as a new JPEG or PNG) and upload that file."
)


class StoreUnavailable(ValidationError):
    """The file store refused or did not answer a write (S3 throttling or down). A
    ValidationError, so every upload form shows its message; nothing was stored."""

    RETRY_AFTER_SECONDS = 30

    def __init__(self):
        super().__init__(
            "The file store is not accepting uploads right now. Nothing was saved: try again "
            "in a minute."
        )


def _public():
    return storages["default"]


def _private():
    return storages["private"]


def _read_upload(upload) -> bytes:
    """The upload's bytes, refusing oversized files before reading them."""
    max_bytes = settings.KILN_MEDIA_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(f"That file is over the {max_bytes / 1024 / 1024:,.0f} MB limit.")
    if isinstance(upload, bytes | bytearray):
        return bytes(upload)
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(f"That file is over the {max_bytes / 1024 / 1024:,.0f} MB limit.")
    return data


def _enqueue_process(asset_id: int) -> None:
    from kiln.media.tasks import media_asset_process_task

    transaction.on_commit(lambda: media_asset_process_task.enqueue(asset_id=asset_id))


def _delete_files_on_commit(storage_alias: str, keys) -> None:
    keys = [k for k in keys if k]
    if not keys:
        return

    def delete():
        storage = storages[storage_alias]
        for key in keys:
            try:
                storage.delete(key)
            except OSError:  # already gone, or the store is down: log, never fail the request
                logger.warning("could not delete %s from %s", key, storage_alias)

    transaction.on_commit(delete)


def _check_quota(*, owner, adding: int) -> None:
    """Refuse an upload that would take the account's originals past its storage quota."""
    quota = settings.KILN_MEDIA_QUOTA_BYTES
    if not quota:
        return
    used = MediaAsset.objects.filter(owner=owner).aggregate(used=Sum("original_bytes"))["used"]
    used = used or 0
    if used + adding > quota:
        raise ValidationError(
            f"Your storage is full: {used / 1024**2:,.0f} MB of {quota / 1024**2:,.0f} MB used, "
            f"and this file needs {adding / 1024**2:,.1f} MB. Delete some uploads to make room."
        )


def media_asset_create(
    *, owner, upload=None, work_url: str = "", file=None, private: bool = False
) -> MediaAsset:
    """Check an upload, keep the original privately and queue its processing.

    `upload` (or its alias `file`) is an UploadedFile, any file object, or bytes. Raises
    ValidationError (with a message the artist can read) and stores nothing when refused.
    """
    upload = upload if upload is not None else file
    if upload is None:
        raise ValidationError("Choose an image to upload.")
    data = _read_upload(upload)
    probe = probe_image(data)
    sha256 = hashlib.sha256(data).hexdigest()
    if MediaAsset.objects.filter(original_sha256=sha256, poisoned=True).exists():
        raise ValidationError(POISONED)
    _check_quota(owner=owner, adding=len(data))
    name = f"originals/{secrets.token_hex(16)}.{ORIGINAL_EXTENSIONS[probe.format]}"
    try:
        stored = _private().save(name, ContentFile(data))
    except Exception as exc:  # botocore's errors are not OSErrors; any failure means no file
        logger.warning("could not store an original: %s", exc)
        raise StoreUnavailable() from exc
    try:
        with transaction.atomic():
            asset = MediaAsset.objects.create(
                owner=owner,
                original_key=stored,
                original_format=probe.format,
                original_bytes=len(data),
                original_sha256=sha256,
                width=probe.width,
                height=probe.height,
                is_animated=probe.is_animated,
                frame_count=probe.frames,
                work_url=work_url[:300],
                is_private=private,
            )
            _enqueue_process(asset.pk)
    except BaseException:
        _private().delete(stored)
        raise
    return asset


# --- Processing ----------------------------------------------------------------------------


def _claim(asset_id: int) -> MediaAsset | None:
    """Take the lease on an asset that is waiting, or whose previous lease ran out."""
    now = timezone.now()
    lease_until = now + timedelta(seconds=settings.KILN_MEDIA_LEASE_SECONDS)
    with transaction.atomic():
        claimable = Q(state=MediaAsset.State.UPLOADED) | Q(
            state=MediaAsset.State.PROCESSING, locked_until__lt=now
        )
        asset = (
            # of=("self",): Postgres refuses FOR UPDATE on the nullable side of the
            # profile join; only the asset row needs the lock.
            MediaAsset.objects.select_for_update(of=("self",))
            .filter(claimable, pk=asset_id)
            .select_related("owner__profile")
            .first()
        )
        if asset is None:
            return None
        if asset.attempts >= settings.KILN_MEDIA_MAX_ATTEMPTS:
            # Every attempt died mid-render (a worker killed at its memory cap, say): the
            # file is poison, and running it again unchanged would only do the same.
            asset.state = MediaAsset.State.FAILED
            asset.locked_until = None
            asset.failure_reason = POISONED
            asset.poisoned = True
            asset.save(update_fields=["state", "locked_until", "failure_reason", "poisoned"])
            return None
        asset.state = MediaAsset.State.PROCESSING
        asset.locked_until = lease_until
        asset.locked_by = current_worker_id() or ""
        asset.attempts = F("attempts") + 1
        asset.save(update_fields=["state", "locked_until", "locked_by", "attempts"])
    asset.refresh_from_db(fields=["attempts"])
    return asset


def _rendition_key(asset: MediaAsset, encoded: imaging.Encoded) -> str:
    """Content-addressed: the same image of the same asset always gets the same key."""
    digest = hashlib.sha256(f"{asset.pk}:".encode() + encoded.identity).hexdigest()[:40]
    return f"{digest[:2]}/{digest}.{imaging.EXTENSIONS[encoded.format]}"


def _write_public(key: str, data: bytes) -> None:
    storage = _public()
    if storage.exists(key):
        if storage.size(key) == len(data):
            return  # identical content (the key is its hash): a previous attempt finished it
        storage.delete(key)  # a partial write from a killed attempt
    saved = storage.save(key, ContentFile(data))
    if saved != key:  # another writer got there between exists() and save(): same content
        storage.delete(saved)


def _referenced_keys(keys) -> set[str]:
    return set(Rendition.objects.filter(key__in=list(keys)).values_list("key", flat=True))


def _cleanup_pending(asset: MediaAsset) -> None:
    """Delete files a killed attempt wrote but never committed rows for."""
    pending = [k for k in asset.pending_keys if k]
    if not pending:
        return
    orphaned = set(pending) - _referenced_keys(pending)
    for key in orphaned:
        _public().delete(key)
    MediaAsset.objects.filter(pk=asset.pk).update(pending_keys=[])
    asset.pending_keys = []


def _watermark_for(owner):
    """The visible watermark the owner chose (the shield draws it), as one transform or None."""
    transforms = [
        t for t in events.rendition_watermark.send(events.WatermarkRequest(owner=owner)) if t
    ]
    if not transforms:
        return None

    def apply(image):
        for transform in transforms:
            image = transform(image)
        return image

    return apply


def _screen_provenance(asset: MediaAsset) -> None:
    """Screening of the original, before any rendition exists (kiln.provenance subscribes).

    Its verdict lives on its own rows (a held asset is kept off public pages by the apps
    that publish); see `events.original_received` for why a failure fails the processing.
    """
    events.original_received.send(events.OriginalReceived(asset=asset))


def _load_source(asset: MediaAsset):
    """The image renditions are made from: the replacement master, else the original."""
    if asset.master_key:
        with _private().open(asset.master_key) as handle:
            return pyvips.Image.new_from_buffer(handle.read(), ""), "png"
    with _private().open(asset.original_key) as handle:
        return handle.read(), asset.original_format


def _store_rendered(asset: MediaAsset, rendered: imaging.Rendered, timings: dict, lease) -> bool:
    """Write files, then commit rows. Returns False when the lease was lost meanwhile."""
    keyed = [(_rendition_key(asset, enc), enc) for enc in rendered.renditions]
    new_keys = [key for key, _ in keyed]
    MediaAsset.objects.filter(pk=asset.pk).update(pending_keys=new_keys)
    with imaging.Timer(timings)("store"):
        try:
            for key, enc in keyed:
                _write_public(key, enc.data)
        except Exception as exc:  # botocore's errors are not OSErrors
            raise StoreUnavailable() from exc
    with transaction.atomic():
        current = MediaAsset.objects.select_for_update().filter(pk=asset.pk).first()
        if current is None or (lease is not None and current.locked_until != lease):
            return False  # deleted, or another worker took over: it cleans pending_keys
        old_keys = set(current.renditions.values_list("key", flat=True))
        current.renditions.all().delete()
        Rendition.objects.bulk_create(
            Rendition(
                asset=current,
                format=enc.format,
                width=enc.width,
                height=enc.height,
                key=key,
                bytes=len(enc.data),
            )
            for key, enc in keyed
        )
        current.state = MediaAsset.State.READY
        current.width, current.height = rendered.width, rendered.height
        current.is_animated = rendered.is_animated
        current.frame_count = rendered.frame_count
        current.blurhash = rendered.blurhash
        current.dominant_color = rendered.dominant_color
        current.phase_timings = timings
        current.locked_until = None
        current.failure_reason = ""
        current.pending_keys = []
        current.processed_at = timezone.now()
        current.save()
        _delete_files_on_commit("default", old_keys - set(new_keys))
    return True


def _readable_failure(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)[:300]
    if isinstance(exc, pyvips.Error):  # the decoder's own words help ("premature end…")
        detail = (exc.detail or exc.message or "").strip().splitlines()
        detail = f" ({detail[-1][:120]})" if detail else ""
    elif isinstance(exc, OSError):
        detail = " (the file store did not answer)"
    else:  # internal errors stay in the log, not in front of the artist
        detail = ""
    return f"We couldn't process this image{detail}. Try again, or upload another file."[:300]


def _fail(asset: MediaAsset, exc: Exception, lease) -> None:
    logger.warning("media asset %s failed: %s", asset.pk, exc, exc_info=True)
    poisoned = isinstance(exc, MemoryError)  # at the process's cap: it would only recur
    MediaAsset.objects.filter(pk=asset.pk, locked_until=lease).update(
        state=MediaAsset.State.FAILED,
        locked_until=None,
        failure_reason=POISONED if poisoned else _readable_failure(exc),
        poisoned=poisoned,
    )


def _release_for_retry(asset: MediaAsset, exc: Exception, lease) -> None:
    """A rendition write failed: no row names it (rows are written after the files), and the
    files it did write stay in pending_keys for the next attempt to clean. The attempt is given
    back and the lease shortened, so the sweeper (every minute) queues it again."""
    logger.warning("media asset %s: store write failed, retried later: %s", asset.pk, exc.__cause__)
    retry_at = timezone.now() + timedelta(seconds=StoreUnavailable.RETRY_AFTER_SECONDS)
    MediaAsset.objects.filter(pk=asset.pk, locked_until=lease).update(
        locked_until=retry_at, attempts=F("attempts") - 1
    )


def media_asset_process(*, asset_id: int) -> bool:
    """Render an asset's renditions (the worker's entry point). True when it became ready.

    Not atomic on purpose: rendering takes seconds and must not hold a transaction; the row's
    lease (`locked_until`) is what keeps two workers apart.
    """
    asset = _claim(asset_id)
    if asset is None:
        return False
    lease = asset.locked_until
    _cleanup_pending(asset)
    timings: dict = {}
    start = imaging.time.perf_counter()
    try:
        with imaging.Timer(timings)("screen"):
            _screen_provenance(asset)
        source, fmt = _load_source(asset)
        rendered = imaging.render(
            source=source,
            fmt=fmt,
            rights=rights_for_owner(owner=asset.owner, work_url=asset.work_url),
            watermark=_watermark_for(asset.owner),
            timings=timings,
        )
    except Exception as exc:  # any failure is the artist's to see and retry, not a stuck row
        _fail(asset, exc, lease)
        return False
    try:
        ok = _store_rendered(asset, rendered, timings, lease)
    except StoreUnavailable as exc:  # the store refused a write: not the file's fault
        _release_for_retry(asset, exc, lease)
        return False
    timings["total"] = round(imaging.time.perf_counter() - start, 4)
    if ok:
        MediaAsset.objects.filter(pk=asset.pk).update(phase_timings=timings)
        logger.info("media asset %s ready: %s", asset.pk, timings)
    return ok


def media_asset_rebuild_renditions(*, asset: MediaAsset, master=None) -> MediaAsset:
    """Re-render every public rendition now, deleting the old files on commit.

    `master` (a pyvips.Image, a PIL image or encoded bytes) replaces the original as the
    source from now on, e.g. the cloaked version; it is kept in private storage so later
    rebuilds (a watermark change) start from it too. Without it the current source is used.
    """
    if master is not None:
        if not isinstance(master, pyvips.Image):
            master = (
                pyvips.Image.new_from_buffer(master, "")
                if isinstance(master, bytes | bytearray)
                else imaging.pil_to_vips(master)
            )
        png = master.pngsave_buffer(compression=1, keep=pyvips.enums.ForeignKeep.ICC)
        old_master = asset.master_key
        asset.master_key = _private().save(f"masters/{secrets.token_hex(16)}.png", ContentFile(png))
        MediaAsset.objects.filter(pk=asset.pk).update(master_key=asset.master_key)
        if old_master:
            _private().delete(old_master)
    asset = MediaAsset.objects.select_related("owner__profile").get(pk=asset.pk)
    _cleanup_pending(asset)
    timings: dict = {}
    source, fmt = _load_source(asset)
    rendered = imaging.render(
        source=source,
        fmt=fmt,
        rights=rights_for_owner(owner=asset.owner, work_url=asset.work_url),
        watermark=_watermark_for(asset.owner),
        timings=timings,
    )
    if asset.master_key and asset.width and asset.height:
        # A master (e.g. the cloaked 2048 px image) is not the original: keep its size.
        rendered.width, rendered.height = asset.width, asset.height
    _store_rendered(asset, rendered, timings, lease=None)
    asset.refresh_from_db()
    return asset


def media_asset_set_work_url(*, asset: MediaAsset, work_url: str) -> None:
    """Point the renditions' XMP WebStatement at the work's page; re-renders on commit."""
    if asset.work_url == work_url:
        return
    MediaAsset.objects.filter(pk=asset.pk).update(work_url=work_url[:300])
    if asset.state == MediaAsset.State.READY:
        _enqueue_rebuild(asset.pk)


def media_asset_set_focus(*, asset: MediaAsset, x: float, y: float) -> None:
    """The focal point crops keep in view, Mastodon-style: each coordinate in [-1, 1]."""
    if not (-1.0 <= x <= 1.0 and -1.0 <= y <= 1.0):
        raise ValidationError("The focal point's coordinates must be between -1 and 1.")
    asset.focus_x, asset.focus_y = x, y
    MediaAsset.objects.filter(pk=asset.pk).update(focus_x=x, focus_y=y)


def _enqueue_rebuild(asset_id: int) -> None:
    from kiln.media.tasks import media_asset_rebuild_task

    transaction.on_commit(lambda: media_asset_rebuild_task.enqueue(asset_id=asset_id))


def media_assets_rebuild_for_owner(*, owner) -> int:
    """Queue a rebuild of every ready asset of `owner` (after a watermark change)."""
    ids = list(
        MediaAsset.objects.filter(owner=owner, state=MediaAsset.State.READY).values_list(
            "pk", flat=True
        )
    )
    for asset_id in ids:
        _enqueue_rebuild(asset_id)
    return len(ids)


@transaction.atomic
def media_asset_retry(*, asset: MediaAsset) -> MediaAsset:
    """Queue a failed asset again, with a fresh count of attempts; never a poisoned one."""
    if MediaAsset.objects.filter(pk=asset.pk, poisoned=True).exists():
        raise ValidationError(POISONED)
    updated = MediaAsset.objects.filter(pk=asset.pk, state=MediaAsset.State.FAILED).update(
        state=MediaAsset.State.UPLOADED, attempts=0, failure_reason="", locked_until=None
    )
    if updated:
        _enqueue_process(asset.pk)
    asset.refresh_from_db()
    return asset


def media_reclaim_from_worker(*, worker_id: str) -> int:
    """Re-queue the assets a dead worker was rendering (its heartbeat stopped). The attempt
    it used still counts, so a file that kills every worker ends as poisoned."""
    if not worker_id:
        return 0
    ids = list(
        MediaAsset.objects.filter(
            state=MediaAsset.State.PROCESSING, locked_by=worker_id
        ).values_list("pk", flat=True)
    )
    if not ids:
        return 0
    MediaAsset.objects.filter(pk__in=ids, locked_by=worker_id).update(
        state=MediaAsset.State.UPLOADED, locked_until=None, locked_by=""
    )
    for asset_id in ids:
        _enqueue_process(asset_id)
    return len(ids)


def media_sweep(*, now=None) -> int:
    """Re-queue assets whose worker died (lease past) or whose enqueue was lost.

    Each re-queued row gets a fresh `locked_until`, so a long queue is not flooded with
    duplicates: a waiting asset is re-queued at most once per lease period.

    Run by every `db_worker` at start-up and each minute (see apps.py), after processed
    assets, and by `python manage.py media_sweep [--every N]`.
    """
    now = now or timezone.now()
    lease = timedelta(seconds=settings.KILN_MEDIA_LEASE_SECONDS)
    lapsed = Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    ids = list(
        MediaAsset.objects.filter(
            Q(state=MediaAsset.State.PROCESSING, locked_until__lt=now)
            | (Q(state=MediaAsset.State.UPLOADED, created_at__lt=now - lease) & lapsed)
        ).values_list("pk", flat=True)[:500]
    )
    if not ids:
        return 0
    # Back to "uploaded": the dead worker's lease is void, the next claim starts afresh.
    MediaAsset.objects.filter(pk__in=ids).update(
        state=MediaAsset.State.UPLOADED, locked_until=now + lease
    )
    from kiln.media.tasks import media_asset_process_task

    for asset_id in ids:
        media_asset_process_task.enqueue(asset_id=asset_id)
    return len(ids)


def _walk(storage, folder: str):
    """Every file under `folder` in a storage (FileSystem or S3), as storage keys."""
    try:
        directories, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{folder}/{name}"
    for directory in directories:
        yield from _walk(storage, f"{folder}/{directory}")


def media_sweep_orphans(*, older_than_seconds: int = 3600) -> int:
    """Delete private originals and masters that no asset points at.

    They appear only when a caller's transaction rolls back after `media_asset_create`
    stored the file. Lists the whole private store, so run it rarely (daily):
    `python manage.py media_sweep --orphans`.
    """
    storage = _private()
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    deleted = 0
    for folder, field in (("originals", "original_key"), ("masters", "master_key")):
        keys = list(_walk(storage, folder))
        for start in range(0, len(keys), 500):
            batch = keys[start : start + 500]
            known = set(
                MediaAsset.objects.filter(**{f"{field}__in": batch}).values_list(field, flat=True)
            )
            for key in batch:
                if key in known:
                    continue
                try:
                    modified = storage.get_modified_time(key)
                except (OSError, NotImplementedError):
                    continue
                if modified < cutoff:
                    storage.delete(key)
                    deleted += 1
    return deleted


@transaction.atomic
def media_asset_delete(*, asset: MediaAsset) -> None:
    """Delete the asset, its renditions and its original; the files go on commit."""
    events.asset_deleting.send(events.AssetDeleting(asset=asset))
    public_keys = set(asset.renditions.values_list("key", flat=True)) | set(asset.pending_keys)
    private_keys = [asset.original_key, asset.master_key, *events.private_files_of([asset.pk])]
    asset.delete()
    _delete_files_on_commit("default", public_keys)
    _delete_files_on_commit("private", private_keys)


def media_bytes(data: bytes) -> io.BytesIO:
    """A file object for bytes (tests and seeding call media_asset_create with it)."""
    return io.BytesIO(data)
