"""The worker: orientation, metadata stripping, rights XMP, widths, lease, retry, rebuild."""

from datetime import timedelta

import pytest
import pyvips
from django.core.files.storage import storages
from django.utils import timezone

from kiln.core import checkpoints, collector
from kiln.core.worker import worker_start
from kiln.media import services
from kiln.media.models import MediaAsset, Rendition
from kiln.media.rights import DATA_MINING_PROHIBITED
from tests.media import images
from tests.media.conftest import files_under


def rendition_bytes(rendition) -> bytes:
    with storages["default"].open(rendition.key) as handle:
        return handle.read()


@pytest.mark.django_db
def test_widths_never_upscale_and_timings_recorded(artist, upload):
    asset = upload(artist, images.jpeg(1500, 1000))
    assert asset.state == MediaAsset.State.READY
    widths = sorted(set(asset.renditions.values_list("width", flat=True)))
    assert widths == [320, 640, 1280, 1500]
    assert (asset.width, asset.height) == (1500, 1000)
    for phase in ("decode", "placeholder", "encode_avif", "encode_webp", "encode_jpeg", "store"):
        assert asset.phase_timings[phase] >= 0, phase
    assert asset.phase_timings["total"] > 0
    assert asset.blurhash and len(asset.blurhash) >= 6
    assert asset.dominant_color.startswith("#") and len(asset.dominant_color) == 7
    for rendition in asset.renditions.all():
        image = pyvips.Image.new_from_buffer(rendition_bytes(rendition), "")
        assert (image.width, image.height) == (rendition.width, rendition.height)
        assert rendition.bytes == len(rendition_bytes(rendition))


@pytest.mark.django_db
def test_small_image_gets_one_width(artist, upload):
    asset = upload(artist, images.png(200, 100))
    assert set(asset.renditions.values_list("width", flat=True)) == {200}


@pytest.mark.django_db
def test_dominant_colour_is_the_main_colour(artist, upload):
    asset = upload(artist, images.png(120, 80, color=(10, 120, 200)))
    red, green, blue = (int(asset.dominant_color[i : i + 2], 16) for i in (1, 3, 5))
    assert abs(red - 10) < 8 and abs(green - 120) < 8 and abs(blue - 200) < 8


@pytest.mark.django_db
def test_exif_orientation_applied_and_gps_and_exif_stripped(artist, upload, exiftool):
    asset = upload(artist, images.jpeg_with_gps_and_big_exif(120, 90))
    assert asset.state == MediaAsset.State.READY, asset.failure_reason
    # Orientation 6 turns a 120×90 sensor image into a 90×120 picture.
    assert (asset.width, asset.height) == (90, 120)
    for rendition in asset.renditions.all():
        data = rendition_bytes(rendition)
        assert len(data) < 60_000  # the 1 MB of source metadata is gone
        tags = exiftool(data)
        assert not [k for k in tags if "GPS" in k], rendition.format
        assert "IFD0:Make" not in tags
        assert tags.get("IFD0:Orientation") in (None, "Horizontal (normal)")
        assert tags["Composite:ImageSize"] in ("90x120", "90 120")


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["jpeg", "webp", "avif"])
def test_rights_metadata_in_every_rendition(artist, upload, exiftool, fmt, settings):
    settings.KILN_SITE_URL = "https://kiln.example"
    asset = upload(artist, images.jpeg(400, 300), work_url="/@ana/projects/42")
    renditions = asset.renditions.filter(format=fmt)
    assert renditions.count() == 2
    for rendition in renditions:
        tags = exiftool(rendition_bytes(rendition))
        assert tags["XMP-dc:Creator"] in ("Ana Exämple", ["Ana Exämple"])
        assert tags["XMP-dc:Rights"].startswith("© ")
        assert "Ana Exämple" in tags["XMP-dc:Rights"]
        assert tags["XMP-xmpRights:Marked"] is True
        assert tags["XMP-xmpRights:WebStatement"] == "https://kiln.example/@ana/projects/42"
        assert tags["XMP-plus:DataMining"] == DATA_MINING_PROHIBITED
        assert "No AI training" in tags["XMP-plus:OtherConstraints"]
        assert tags["XMP-iptcCore:CreatorContactInfo"]["CiUrlWork"] == "https://kiln.example/@ana"
        assert tags["IFD0:Artist"].startswith("Ana Ex")
        assert "https://kiln.example/@ana" in tags["IFD0:Artist"]
        assert "All rights reserved" in tags["IFD0:Copyright"]


@pytest.mark.django_db
def test_web_statement_falls_back_to_profile(artist, upload, exiftool, settings):
    settings.KILN_SITE_URL = "https://kiln.example"
    asset = upload(artist, images.png(100, 80))
    tags = exiftool(rendition_bytes(asset.renditions.get(format="jpeg")))
    assert tags["XMP-xmpRights:WebStatement"] == "https://kiln.example/@ana"


@pytest.mark.django_db
def test_watermark_hook_is_applied(artist, upload, monkeypatch):
    calls = []

    def fake(image, *, owner):
        calls.append((image.width, owner.pk))
        return image.draw_rect([255, 0, 255], 0, 0, 10, 10, fill=True)

    monkeypatch.setattr(
        "kiln.media.services._watermark_for", lambda owner: lambda im: fake(im, owner=owner)
    )
    asset = upload(artist, images.png(700, 400, color=(0, 0, 0)))
    assert sorted(calls) == [(320, artist.pk), (640, artist.pk), (700, artist.pk)]
    jpeg = pyvips.Image.new_from_buffer(
        rendition_bytes(asset.renditions.get(format="jpeg", width=700)), ""
    )
    assert jpeg.crop(0, 0, 8, 8)[0].avg() > 200  # the mark is in the public file


@pytest.mark.django_db
def test_failure_is_readable_and_retry_works(artist, upload, monkeypatch):
    real = services.imaging.render

    def broken(**kwargs):
        raise pyvips.Error("unable to call thumbnail_buffer", "out of memory")

    monkeypatch.setattr(services.imaging, "render", broken)
    asset = upload(artist, images.png())
    assert asset.state == MediaAsset.State.FAILED
    assert asset.failure_reason.startswith("We couldn't process this image (out of memory)")
    assert asset.locked_until is None
    monkeypatch.setattr(services.imaging, "render", real)


@pytest.mark.django_db(transaction=True)
def test_retry_after_failure(artist, monkeypatch):
    monkeypatch.setattr(
        services.imaging, "render", lambda **kw: (_ for _ in ()).throw(OSError("disk full"))
    )
    asset = services.media_asset_create(owner=artist, upload=images.png())
    asset.refresh_from_db()
    assert asset.state == MediaAsset.State.FAILED
    assert "file store did not answer" in asset.failure_reason
    monkeypatch.undo()
    services.media_asset_retry(asset=asset)
    asset.refresh_from_db()
    assert asset.state == MediaAsset.State.READY
    assert asset.renditions.count() == 3


@pytest.mark.django_db
def test_killed_worker_is_swept_and_leaks_nothing(
    artist, media_root, django_capture_on_commit_callbacks
):
    # Upload without running the worker, then play a worker that claimed it, wrote half its
    # files and died: the row is "processing" with a lapsed lease and pending keys.
    asset = services.media_asset_create(owner=artist, upload=images.png(700, 500))
    claimed = services._claim(asset.pk)
    assert claimed.state == MediaAsset.State.PROCESSING and claimed.attempts == 1
    storages["default"].save("ab/" + "ab" * 20 + ".avif", __import__("io").BytesIO(b"partial"))
    MediaAsset.objects.filter(pk=asset.pk).update(
        pending_keys=["ab/" + "ab" * 20 + ".avif"],
        locked_until=timezone.now() - timedelta(seconds=1),
    )
    # A second worker cannot take a live lease, only a lapsed one.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.media_sweep() == 1
    asset.refresh_from_db()
    assert asset.state == MediaAsset.State.READY
    assert asset.attempts == 2
    assert asset.pending_keys == []
    public = {
        p.relative_to(media_root / "public").as_posix() for p in files_under(media_root / "public")
    }
    assert public == set(asset.renditions.values_list("key", flat=True))


@pytest.mark.django_db
def test_live_lease_is_not_taken_twice(artist):
    asset = services.media_asset_create(owner=artist, upload=images.png())
    assert services._claim(asset.pk) is not None
    assert services._claim(asset.pk) is None
    assert services.media_sweep() == 0


@pytest.mark.django_db
def test_too_many_attempts_fail_with_reason(artist, settings):
    settings.KILN_MEDIA_MAX_ATTEMPTS = 1
    asset = services.media_asset_create(owner=artist, upload=images.png())
    services._claim(asset.pk)
    MediaAsset.objects.filter(pk=asset.pk).update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )
    assert services.media_asset_process(asset_id=asset.pk) is False
    asset.refresh_from_db()
    assert asset.state == MediaAsset.State.FAILED
    assert "won't try it again" in asset.failure_reason
    assert asset.poisoned


@pytest.mark.django_db
def test_stuck_uploaded_row_is_requeued(artist, settings, django_capture_on_commit_callbacks):
    asset = services.media_asset_create(owner=artist, upload=images.png())  # enqueue never ran
    MediaAsset.objects.filter(pk=asset.pk).update(created_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.media_sweep() == 1
    asset.refresh_from_db()
    assert asset.state == MediaAsset.State.READY


@pytest.mark.django_db
def test_sweep_command(artist, capsys):
    from django.core.management import call_command

    call_command("media_sweep")
    assert "re-queued 0" in capsys.readouterr().out


@pytest.mark.django_db
def test_rebuild_from_master_replaces_files(
    artist, upload, media_root, django_capture_on_commit_callbacks
):
    asset = upload(artist, images.png(700, 400, color=(0, 0, 0)))
    old_keys = set(asset.renditions.values_list("key", flat=True))
    master = (pyvips.Image.black(700, 400, bands=3) + [250, 250, 250]).cast("uchar")
    with django_capture_on_commit_callbacks(execute=True):
        asset = services.media_asset_rebuild_renditions(asset=asset, master=master)
    new_keys = set(asset.renditions.values_list("key", flat=True))
    assert new_keys and not (new_keys & old_keys)
    public = {
        p.relative_to(media_root / "public").as_posix() for p in files_under(media_root / "public")
    }
    assert public == new_keys
    image = pyvips.Image.new_from_buffer(
        rendition_bytes(asset.renditions.get(format="jpeg", width=700)), ""
    )
    assert image.avg() > 240
    # The master is kept privately, so a later rebuild (watermark change) starts from it.
    assert asset.master_key and (media_root / "private" / asset.master_key).is_file()
    with django_capture_on_commit_callbacks(execute=True):
        asset = services.media_asset_rebuild_renditions(asset=asset)
    image = pyvips.Image.new_from_buffer(
        rendition_bytes(asset.renditions.get(format="jpeg", width=700)), ""
    )
    assert image.avg() > 240
    assert set(asset.renditions.values_list("key", flat=True)) == new_keys  # same bytes, same keys


@pytest.mark.django_db
def test_rebuild_for_owner_queues_ready_assets(
    artist, upload, django_capture_on_commit_callbacks, monkeypatch
):
    upload(artist, images.png())
    upload(artist, images.png(80, 80))
    seen = []
    monkeypatch.setattr(
        services,
        "media_asset_rebuild_renditions",
        lambda *, asset, master=None: seen.append(asset.pk),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.media_assets_rebuild_for_owner(owner=artist) == 2
    assert len(seen) == 2


@pytest.mark.django_db
def test_delete_removes_every_file(artist, upload, media_root, django_capture_on_commit_callbacks):
    asset = upload(artist, images.jpeg(700, 500))
    with django_capture_on_commit_callbacks(execute=True):
        services.media_asset_rebuild_renditions(asset=asset, master=images.png(700, 500))
    assert len(files_under(media_root)) == 1 + 1 + 9  # original, master, renditions
    with django_capture_on_commit_callbacks(execute=True):
        services.media_asset_delete(asset=MediaAsset.objects.get(pk=asset.pk))
    assert MediaAsset.objects.count() == 0 and Rendition.objects.count() == 0
    assert files_under(media_root) == []


@pytest.mark.django_db
def test_animation_poster_is_the_first_frame_with_rights(artist, upload, exiftool):
    asset = upload(artist, images.animated_gif(frames=3))
    poster = asset.renditions.get(format="jpeg")
    data = rendition_bytes(poster)
    image = pyvips.Image.new_from_buffer(data, "")
    assert (image.width, image.height) == (40, 30)
    assert abs(image[0].avg() - 0) < 10 and abs(image[2].avg() - 90) < 10  # frame 0's colour
    tags = exiftool(data)
    assert tags["XMP-plus:DataMining"] == DATA_MINING_PROHIBITED
    webp = rendition_bytes(asset.renditions.get(format="webp"))
    assert exiftool(webp)["XMP-plus:DataMining"] == DATA_MINING_PROHIBITED


def test_worker_start_runs_the_sweeper(monkeypatch):
    from django.apps import apps

    from kiln.media import apps as media_apps

    started = []

    class FakeThread:
        def __init__(self, target, name, daemon):
            started.append((target, name, daemon))

        def start(self):
            started.append("started")

    monkeypatch.setattr(media_apps.threading, "Thread", FakeThread)
    monkeypatch.setattr(checkpoints, "start_checkpointer", lambda: None)
    monkeypatch.setattr(collector, "freeze_startup_objects", lambda: None)
    apps.get_app_config("media").ready()  # loading the app starts nothing
    assert started == []
    worker_start()  # the worker's entry point does
    assert started == [(media_apps._sweep_forever, "media-sweeper", True), "started"]


@pytest.mark.django_db
def test_orphaned_original_from_a_rolled_back_caller_is_swept(artist, media_root):
    import os
    import time

    from django.core.management import call_command
    from django.db import transaction

    kept = services.media_asset_create(owner=artist, upload=images.png())
    with pytest.raises(RuntimeError), transaction.atomic():
        services.media_asset_create(owner=artist, upload=images.png(80, 60))
        raise RuntimeError("the caller's own work failed")
    originals = files_under(media_root / "private")
    assert len(originals) == 2 and MediaAsset.objects.count() == 1
    assert services.media_sweep_orphans() == 0  # too recent: it may still be committing
    old = time.time() - 7200
    for path in originals:
        os.utime(path, (old, old))
    call_command("media_sweep", "--orphans")
    assert files_under(media_root / "private") == [media_root / "private" / kept.original_key]


@pytest.mark.django_db
def test_worker_dying_mid_store_loses_nothing(
    artist, media_root, monkeypatch, django_capture_on_commit_callbacks
):
    """The real store path, interrupted after some files are written (as by SIGKILL)."""

    class Killed(BaseException):  # not an Exception: nothing in the worker catches it
        pass

    real_write = services._write_public
    written = []

    def dying_write(key, data):
        if len(written) == 4:
            # Half a file reaches the disk, then the process is gone.
            storages["default"].save(key, __import__("io").BytesIO(data[: len(data) // 2]))
            raise Killed
        real_write(key, data)
        written.append(key)

    monkeypatch.setattr(services, "_write_public", dying_write)
    asset = services.media_asset_create(owner=artist, upload=images.png(700, 500))
    with pytest.raises(Killed):
        services.media_asset_process(asset_id=asset.pk)
    asset.refresh_from_db()
    assert asset.state == MediaAsset.State.PROCESSING
    assert len(asset.pending_keys) == 9 and Rendition.objects.count() == 0
    assert len(files_under(media_root / "public")) == 5  # four whole files and a torn one

    monkeypatch.setattr(services, "_write_public", real_write)
    MediaAsset.objects.filter(pk=asset.pk).update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.media_sweep() == 1
    asset.refresh_from_db()
    assert asset.state == MediaAsset.State.READY and asset.pending_keys == []
    public = {
        p.relative_to(media_root / "public").as_posix() for p in files_under(media_root / "public")
    }
    assert public == set(asset.renditions.values_list("key", flat=True))
    for rendition in asset.renditions.all():  # the torn file was rewritten whole
        assert len(rendition_bytes(rendition)) == rendition.bytes
        pyvips.Image.new_from_buffer(rendition_bytes(rendition), "").avg()


@pytest.mark.django_db
def test_sweep_requeues_a_waiting_asset_once_per_lease(artist, monkeypatch):
    from kiln.media import tasks

    queued = []

    class FakeTask:
        def enqueue(self, **kwargs):
            queued.append(kwargs)

    monkeypatch.setattr(tasks, "media_asset_process_task", FakeTask())
    asset = services.media_asset_create(owner=artist, upload=images.png())
    MediaAsset.objects.filter(pk=asset.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert services.media_sweep() == 1
    assert services.media_sweep() == 0  # still in the queue: no duplicate
    later = timezone.now() + timedelta(seconds=301)
    assert services.media_sweep(now=later) == 1
    assert queued == [{"asset_id": asset.pk}] * 2
