"""Data exports: requested from Settings → Your data, built in the background, kept 7 days.

The ZIP is written entry by entry into a temporary file (originals copied in 1 MiB chunks,
JSON written record by record), then streamed to the private store; at no point is the
archive, or any original, held in memory whole. `bench/export_rss.py` measures it.
"""

import json
import logging
import os
import secrets
import shutil
import tempfile
import zipfile
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import storages
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from kiln.core.mail import send_branded
from kiln.core.tasks import enqueue_with_transaction
from kiln.transfer import export_records as records
from kiln.transfer.models import DataExport

logger = logging.getLogger("kiln.transfer")

CHUNK = 1024 * 1024
LEASE = timedelta(minutes=30)
OPEN_STATES = (DataExport.State.PENDING, DataExport.State.BUILDING)


@transaction.atomic
def data_export_request(*, user) -> DataExport:
    """Queue an export; one at a time per account."""
    if DataExport.objects.filter(owner=user, state__in=OPEN_STATES).exists():
        raise ValidationError("An export is already being made; you will be told when it is ready.")
    export = DataExport.objects.create(owner=user)
    from kiln.transfer.tasks import data_export_task

    enqueue_with_transaction(data_export_task, export_id=export.pk)
    return export


def _claim(export_id: int) -> DataExport | None:
    now = timezone.now()
    with transaction.atomic():
        export = (
            DataExport.objects.select_for_update().select_related("owner").filter(pk=export_id)
        ).first()
        if export is None or export.state not in OPEN_STATES:
            return None
        if export.state == DataExport.State.BUILDING and (export.locked_until or now) > now:
            return None
        export.state = DataExport.State.BUILDING
        export.locked_until = now + LEASE
        export.attempts += 1
        export.save(update_fields=["state", "locked_until", "attempts"])
        return export


def _write_json(zf: zipfile.ZipFile, name: str, value) -> None:
    with zf.open(name, "w", force_zip64=True) as out:
        out.write(json.dumps(value, ensure_ascii=False, indent=2).encode())


def _write_json_list(zf: zipfile.ZipFile, name: str, items, wrap=None) -> int:
    """A JSON array written item by item; `wrap` (prefix, suffix) puts it inside an object."""
    count = 0
    with zf.open(name, "w", force_zip64=True) as out:
        out.write((wrap[0] if wrap else "[\n").encode())
        for item in items:
            out.write(b",\n" if count else b"")
            out.write(json.dumps(item, ensure_ascii=False).encode())
            count += 1
        out.write((wrap[1] if wrap else "\n]\n").encode())
    return count


def _collection(name: str) -> tuple[str, str]:
    head = {"@context": records.AS_CONTEXT, "id": name, "type": "OrderedCollection"}
    return json.dumps(head)[:-1] + ', "orderedItems": [\n', "\n]}\n"


def _write_archive(user, path: str) -> dict:
    counts = {}
    storage = storages["private"]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        originals = 0
        for asset in records.assets(user):
            info = zipfile.ZipInfo(
                records.original_name(asset), date_time=asset.created_at.timetuple()[:6]
            )
            info.compress_type = zipfile.ZIP_STORED  # images are compressed already
            try:
                with (
                    storage.open(asset.original_key, "rb") as src,
                    zf.open(info, "w", force_zip64=True) as dst,
                ):
                    shutil.copyfileobj(src, dst, CHUNK)
                originals += 1
            except FileNotFoundError:
                logger.warning("export %s: original of asset %s is missing", user.pk, asset.pk)
        counts["originals"] = originals
        prof = records.profile(user)
        _write_json(zf, "profile.json", prof)
        counts["posts"] = _write_json_list(zf, "posts.json", records.posts(user))
        counts["projects"] = _write_json_list(zf, "projects.json", records.projects(user))
        counts["likes"] = _write_json_list(
            zf, "likes.json", records.likes(user), wrap=_collection("likes.json")
        )
        counts["bookmarks"] = _write_json_list(zf, "bookmarks.json", records.bookmarks(user))
        _write_json(zf, "people.json", records.people(user))
        _write_json(zf, "notification_settings.json", records.notification_settings(user))
        _write_json(zf, "commission_sheet.json", records.commission_sheet(user))
        counts["messages_sent"] = _write_json_list(
            zf, "messages_sent.json", records.messages_sent(user)
        )
        _write_json(zf, "actor.json", records.actor(user, prof))
        _write_json_list(
            zf,
            "outbox.json",
            (records.outbox_activity(user, p) for p in records.posts(user)),
            wrap=_collection("outbox.json"),
        )
        page = render_to_string(
            "transfer/export_index.html", {"user": user, "profile": prof, "counts": counts}
        )
        zf.writestr("index.html", page)
    return counts


def data_export_build(*, export_id: int) -> bool:
    export = _claim(export_id)
    if export is None:
        return False
    user = export.owner
    tmp_dir = os.path.join(settings.VAR_DIR, "tmp")
    os.makedirs(tmp_dir, exist_ok=True)
    fd, path = tempfile.mkstemp(prefix="export-", suffix=".zip", dir=tmp_dir)
    os.close(fd)
    key = f"exports/{user.pk}/{secrets.token_hex(16)}.zip"
    try:
        _write_archive(user, path)
        size = os.path.getsize(path)
        with open(path, "rb") as fh:
            key = storages["private"].save(key, File(fh))
    except Exception as exc:
        logger.exception("export %s failed", export.pk)
        DataExport.objects.filter(pk=export.pk).update(
            state=DataExport.State.FAILED, failure_reason=str(exc)[:300]
        )
        return False
    finally:
        os.unlink(path)
    expires = timezone.now() + timedelta(days=settings.KILN_EXPORT_DAYS)
    with transaction.atomic():
        DataExport.objects.filter(pk=export.pk).update(
            state=DataExport.State.READY, key=key, bytes=size, expires_at=expires, locked_until=None
        )
        transaction.on_commit(lambda: _tell_owner(user, expires))
    return True


def _tell_owner(user, expires) -> None:
    from kiln.notifications.models import Notification
    from kiln.notifications.services import notification_create

    notification_create(recipient_id=user.pk, actor=user, kind=Notification.Kind.EXPORT_READY)
    link = records.site_url(reverse("transfer:your_data"))
    send_branded(
        subject="Your data is ready to download",
        text=f"Hello @{user.username},\n\nYour data export is ready. Download it from {link} "
        f"(you will be asked to log in).\nThe link works for you alone until {expires:%-d %B %Y}.",
        to=[user.email],
    )


def data_export_for_download(*, user, export_id: int) -> DataExport | None:
    """The owner's own, ready, unexpired export; None for anyone else (answered as 404)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return DataExport.objects.filter(
        pk=export_id, owner_id=user.pk, state=DataExport.State.READY, expires_at__gt=timezone.now()
    ).first()


def data_exports_expire(*, now=None) -> int:
    """Delete the files of exports past their 7 days (files first, then rows)."""
    now = now or timezone.now()
    stale = list(DataExport.objects.filter(expires_at__lte=now))
    for export in stale:
        if export.key:
            storages["private"].delete(export.key)
        export.delete()
    return len(stale)
