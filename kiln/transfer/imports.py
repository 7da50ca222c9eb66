"""Instagram import: receive the archive in chunks, read it, review, then import in the
background, item by item, resuming where a killed worker stopped.

Nothing is sent to or fetched from Instagram: Kiln reads only the file the artist uploads.
The archive is a work file on the worker's local disk (`VAR_DIR/imports/`), deleted when the
import is done, refused or discarded.
"""

import logging
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kiln.accounts.services import profile_ensure
from kiln.core.tasks import enqueue_with_transaction
from kiln.media.models import MediaAsset
from kiln.media.services import media_asset_create, media_asset_delete, media_asset_process
from kiln.portfolio.models import Project
from kiln.portfolio.services import (
    ImageInput,
    ProjectInput,
    only_waiting,
    project_create,
    project_publish,
)
from kiln.posts.models import Post
from kiln.posts.services import post_create
from kiln.transfer import instagram
from kiln.transfer.models import ImportItem, InstagramImport

logger = logging.getLogger("kiln.transfer")

LEASE = timedelta(minutes=5)
Item = ImportItem


class ItemFailed(Exception):
    pass


def archive_path(batch: InstagramImport) -> Path:
    return Path(settings.VAR_DIR) / "imports" / f"{batch.pk}.zip"


def _remove_archive(batch: InstagramImport) -> None:
    archive_path(batch).unlink(missing_ok=True)


@transaction.atomic
def import_start(*, user, total_bytes: int) -> InstagramImport:
    if total_bytes <= 0:
        raise ValidationError("That file is empty.")
    limit = settings.KILN_IMPORT_MAX_BYTES
    if total_bytes > limit:
        raise ValidationError(f"That file is over the {limit / 1024**3:.0f} GB limit.")
    busy = InstagramImport.objects.filter(
        owner=user, state__in=[InstagramImport.State.UPLOADING, InstagramImport.State.PROCESSING]
    )
    for stale in busy.filter(state=InstagramImport.State.UPLOADING):
        import_discard(batch=stale)  # a new upload replaces an abandoned one
    if busy.exists():
        raise ValidationError("An import is still running; wait until it is done.")
    batch = InstagramImport.objects.create(owner=user, total_bytes=total_bytes)
    path = archive_path(batch)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    return batch


def import_receive_chunk(*, batch: InstagramImport, start: int, data: bytes) -> InstagramImport:
    """Append one chunk. `start` must be where the last one ended (the client resumes from
    `received_bytes`); anything else changes nothing."""
    if batch.state != InstagramImport.State.UPLOADING:
        raise ValidationError("This upload is finished.")
    if start != batch.received_bytes:
        raise ValidationError(f"Expected the bytes from {batch.received_bytes}.")
    if not data or start + len(data) > batch.total_bytes:
        raise ValidationError("That piece does not fit the file's size.")
    if len(data) > settings.KILN_IMPORT_CHUNK_BYTES:
        raise ValidationError("That piece is too large.")
    path = archive_path(batch)
    with open(path, "r+b") as fh:
        fh.seek(start)
        fh.write(data)
        fh.truncate()
    batch.received_bytes = start + len(data)
    batch.save(update_fields=["received_bytes"])
    if batch.received_bytes == batch.total_bytes:
        import_read(batch=batch)
    return batch


def import_read(*, batch: InstagramImport) -> InstagramImport:
    """Check and read the whole archive; a refusal deletes it and says why."""
    try:
        with instagram.open_archive(archive_path(batch)) as zf:
            found = instagram.parse(zf)
    except instagram.ArchiveRefused as exc:
        _remove_archive(batch)
        batch.state = InstagramImport.State.REFUSED
        batch.refusal = str(exc)[:400]
        batch.save(update_fields=["state", "refusal"])
        return batch
    done = set(
        ImportItem.objects.filter(owner=batch.owner, state=Item.State.DONE).values_list(
            "key", flat=True
        )
    )
    with transaction.atomic():
        ImportItem.objects.bulk_create(
            ImportItem(
                batch=batch,
                owner=batch.owner,
                key=post.key,
                position=i,
                taken_at=post.taken_at,
                caption=post.caption[:5000],
                location=post.location[:200],
                media=[m.path for m in post.media],
                choice=Item.Choice.PROJECT if len(post.media) > 1 else Item.Choice.POST,
                state=Item.State.DUPLICATE if post.key in done else Item.State.FOUND,
            )
            for i, post in enumerate(found.posts)
        )
        batch.state = InstagramImport.State.REVIEW
        batch.bio = found.bio[:500]
        batch.website = found.website[:300]
        batch.skipped_videos = found.skipped_videos
        batch.save(update_fields=["state", "bio", "website", "skipped_videos"])
    return batch


@transaction.atomic
def import_confirm(
    *, batch: InstagramImport, choices: dict[int, str], cloak: bool, use_profile: bool
) -> InstagramImport:
    """The artist's review: each item becomes a project, a post, or is left out."""
    batch = InstagramImport.objects.select_for_update().get(pk=batch.pk)
    if batch.state != InstagramImport.State.REVIEW:
        raise ValidationError("This import is not waiting for a review.")
    valid = set(Item.Choice.values)
    if any(choice not in valid for choice in choices.values()):
        raise ValidationError("Unknown choice.")
    items = list(batch.items.filter(state=Item.State.FOUND))
    for item in items:
        item.choice = choices.get(item.pk, Item.Choice.SKIP)
        item.state = Item.State.PENDING if item.choice != Item.Choice.SKIP else Item.State.FOUND
    ImportItem.objects.bulk_update(items, ["choice", "state"])
    if use_profile and (batch.bio or batch.website):
        _apply_profile(batch)
    batch.state = InstagramImport.State.PROCESSING
    batch.cloak_requested = cloak
    batch.started_at = timezone.now()
    batch.save(update_fields=["state", "cloak_requested", "started_at"])
    from kiln.transfer.tasks import instagram_import_task

    enqueue_with_transaction(instagram_import_task, batch_id=batch.pk)
    return batch


def _apply_profile(batch: InstagramImport) -> None:
    profile = profile_ensure(user=batch.owner)
    fields = ["updated_at"]
    if batch.bio and not profile.bio:
        profile.bio = batch.bio
        fields.append("bio")
    profile.save(update_fields=fields)
    if batch.website and profile.links.count() < 5:
        profile.links.get_or_create(url=batch.website[:300], defaults={"position": 99})


def import_discard(*, batch: InstagramImport) -> None:
    if batch.state == InstagramImport.State.PROCESSING:
        raise ValidationError("An import that is running can't be discarded.")
    _remove_archive(batch)
    batch.delete()


# --- processing ----------------------------------------------------------------------------


def _claim(batch_id: int) -> InstagramImport | None:
    now = timezone.now()
    with transaction.atomic():
        batch = (
            InstagramImport.objects.select_for_update()
            .select_related("owner")
            .filter(pk=batch_id, state=InstagramImport.State.PROCESSING)
            .first()
        )
        if batch is None or (batch.locked_until and batch.locked_until > now):
            return None
        batch.locked_until = now + LEASE
        batch.attempts += 1
        batch.save(update_fields=["locked_until", "attempts"])
        return batch


def _assets_for(item: ImportItem, zf, owner) -> list[int]:
    ids = list(item.asset_ids)
    for path in item.media[len(ids) :]:
        try:
            data = instagram.read_member(zf, path, settings.KILN_MEDIA_MAX_BYTES)
        except FileNotFoundError:
            raise ItemFailed(f"{path} is missing from the archive.") from None
        except ValueError as exc:
            raise ItemFailed(str(exc)) from None
        try:
            with transaction.atomic():
                asset = media_asset_create(owner=owner, upload=data)
                ids.append(asset.pk)
                ImportItem.objects.filter(pk=item.pk).update(asset_ids=ids)
        except ValidationError as exc:
            raise ItemFailed(f"{path.rsplit('/', 1)[-1]}: {exc.messages[0]}") from None
    return ids


def _caption(item: ImportItem) -> str:
    when = f" on {item.taken_at:%-d %B %Y}" if item.taken_at else ""
    where = f" ({item.location})" if item.location else ""
    return f"Originally posted on Instagram{when}{where}."


def _alt_text(item: ImportItem) -> str:
    """Instagram's export carries no image descriptions; Kiln asks for one on every post
    image, so the caption stands in (the results page asks the artist to write real ones)."""
    text = instagram.TAG.sub("", item.caption.split("\n", 1)[0]).strip()
    return (f"Imported from Instagram: {text}" if text else "Imported from Instagram")[:300]


def _import_item(item: ImportItem, zf, batch: InstagramImport) -> None:
    owner = batch.owner
    ids = _assets_for(item, zf, owner)
    for asset_id in ids:
        media_asset_process(asset_id=asset_id)  # inline: the import waits for its own images
    failed = MediaAsset.objects.filter(pk__in=ids, state=MediaAsset.State.FAILED).first()
    if failed is not None:
        raise ItemFailed(failed.failure_reason or "An image could not be processed.")
    note = ""
    with transaction.atomic():
        if item.choice == Item.Choice.PROJECT:
            tags = instagram.TAG.findall(item.caption)
            first_line = instagram.TAG.sub("", item.caption.split("\n", 1)[0]).strip()
            title = (first_line or "From Instagram")[:200]
            project = project_create(
                owner=owner,
                data=ProjectInput(
                    title=title,
                    description=f"{item.caption}\n\n{_caption(item)}".strip(),
                    images=[ImageInput(asset_id, _alt_text(item)) for asset_id in ids],
                    tags=[t.lower() for t in tags][:10],
                    created_on=item.taken_at.date() if item.taken_at else None,
                    cloak_requested=batch.cloak_requested,
                ),
            )
            try:
                project_publish(user=owner, project=project)
                if item.taken_at:  # shown and ordered by the date it was first published
                    Project.objects.filter(pk=project.pk).update(published_at=item.taken_at)
            except ValidationError as exc:
                if not only_waiting(exc):
                    raise
                note = "Saved as a draft until " + exc.messages[0][0].lower() + exc.messages[0][1:]
            item.project_id = project.pk
        else:
            text = f"{item.caption}\n\n{_caption(item)}".strip()[
                : Post._meta.get_field("text").max_length
            ]
            post = post_create(
                author=owner, text=text, attachments=[(a, _alt_text(item)) for a in ids]
            )
            if item.taken_at:
                Post.objects.filter(pk=post.pk).update(created_at=item.taken_at)
            item.post_id = post.pk
            if batch.cloak_requested:
                note = _cloak_post_images(owner, ids)
        item.state = Item.State.DONE
        item.note = note[:300]
        item.save(update_fields=["state", "note", "post_id", "project_id"])


def _cloak_post_images(owner, ids) -> str:
    from kiln.cloak.services import cloak_job_start

    try:
        for asset in MediaAsset.objects.filter(pk__in=ids):
            cloak_job_start(user=owner, asset=asset, publish_before_done=True)
    except ValidationError as exc:
        return f"Not cloaked: {exc.messages[0]}"
    return ""


def _fail(item: ImportItem, reason: str) -> None:
    """The item's images go (files and rows); the reason stays for the artist to read."""
    item.refresh_from_db(fields=["asset_ids"])  # those stored before the failure
    for asset in MediaAsset.objects.filter(pk__in=item.asset_ids, owner=item.owner_id):
        media_asset_delete(asset=asset)
    ImportItem.objects.filter(pk=item.pk).update(
        state=Item.State.FAILED, note=reason[:300], asset_ids=[]
    )


def instagram_import_process(*, batch_id: int, after_item=None) -> bool:
    """Import every pending item, in order; resumable at any point (state on the rows)."""
    batch = _claim(batch_id)
    if batch is None:
        return False
    try:
        zf = instagram.open_archive(archive_path(batch))
    except (instagram.ArchiveRefused, FileNotFoundError):
        ImportItem.objects.filter(batch=batch, state=Item.State.PENDING).update(
            state=Item.State.FAILED, note="The archive is no longer on the server."
        )
        zf = None
    with zf or _Nothing():
        for item in batch.items.filter(state=Item.State.PENDING).order_by("position"):
            InstagramImport.objects.filter(pk=batch.pk).update(
                current_item=(item.caption.split("\n", 1)[0] or item.media[0])[:200],
                locked_until=timezone.now() + LEASE,
            )
            if ImportItem.objects.filter(owner=item.owner_id, key=item.key, state="done").exists():
                ImportItem.objects.filter(pk=item.pk).update(state=Item.State.DUPLICATE)
                continue
            try:
                _import_item(item, zf, batch)
            except ItemFailed as exc:
                _fail(item, str(exc))
            except ValidationError as exc:
                _fail(item, exc.messages[0])
            if after_item is not None:
                after_item(item)
    _remove_archive(batch)
    InstagramImport.objects.filter(pk=batch.pk).update(
        state=InstagramImport.State.DONE,
        finished_at=timezone.now(),
        current_item="",
        locked_until=None,
    )
    return True


class _Nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def imports_stuck(*, now=None) -> list[int]:
    now = now or timezone.now()
    return list(
        InstagramImport.objects.filter(
            state=InstagramImport.State.PROCESSING, locked_until__lte=now
        ).values_list("pk", flat=True)
    )


def progress(batch: InstagramImport) -> dict:
    """N of M, the current item and the time left (from the pace so far)."""
    counts = {s: 0 for s in Item.State.values}
    for state in batch.items.exclude(choice=Item.Choice.SKIP).values_list("state", flat=True):
        counts[state] += 1
    finished = counts["done"] + counts["failed"] + counts["duplicate"]
    total = finished + counts["pending"]
    left = None
    if batch.started_at and finished and total > finished:
        per_item = (timezone.now() - batch.started_at) / finished
        left = per_item * (total - finished)
    return {
        "done": finished,
        "total": total,
        "failed": counts["failed"],
        "left": _readable(left) if left is not None else "",
    }


def _readable(left: timedelta) -> str:
    seconds = int(left.total_seconds())
    if seconds < 60:
        return "less than a minute"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"about {minutes} minute{'s' if minutes != 1 else ''}"
    return f"about {minutes / 60:.1f} hours"
