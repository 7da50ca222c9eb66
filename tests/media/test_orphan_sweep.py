"""The hourly orphan sweep (`media_sweep --orphans`) deletes only files no asset points at:
never an original or master that a draft project, a post, a held item or an upload still in
progress refers to."""

import os
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from kiln.media import services
from kiln.media.management.commands import media_sweep as command
from kiln.media.models import MediaAsset
from tests.media import images
from tests.media.conftest import files_under

pytestmark = pytest.mark.django_db


def _age_everything(root, seconds: int = 7200) -> None:
    old = time.time() - seconds
    for path in files_under(root):
        os.utime(path, (old, old))


def test_sweep_keeps_every_file_something_still_refers_to(artist, media_root, upload):
    from kiln.portfolio import services as portfolio
    from kiln.posts.services import post_create
    from kiln.provenance.models import Screening

    # A draft project (never published).
    drafted = upload(artist, images.png(70, 50, color=(1, 2, 3)))
    portfolio.project_create(
        owner=artist,
        data=portfolio.ProjectInput(
            title="Draft", images=[portfolio.ImageInput(asset_id=drafted.pk)]
        ),
    )
    # A post attachment.
    posted = upload(artist, images.png(72, 50, color=(4, 5, 6)))
    post_create(author=artist, text="New sketch", attachments=[(posted, "A pencil sketch")])
    # An item held for provenance review (not in any project or post yet).
    held = upload(artist, images.png(74, 50, color=(7, 8, 9)))
    Screening.objects.update_or_create(
        asset=held,
        defaults={"state": Screening.State.HELD, "verdict": "ai", "policy": "hold"},
    )
    # An upload still waiting for the worker (its on-commit processing never ran).
    waiting = services.media_asset_create(owner=artist, upload=images.png(76, 50))
    assert waiting.state == MediaAsset.State.UPLOADED
    # An asset with a master (the cloaked source later rebuilds start from).
    mastered = upload(artist, images.png(78, 50, color=(10, 11, 12)))
    mastered = services.media_asset_rebuild_renditions(asset=mastered, master=images.png(78, 50))
    assert mastered.master_key
    # And one real orphan: a rolled-back caller's original.
    with pytest.raises(RuntimeError), transaction.atomic():
        services.media_asset_create(owner=artist, upload=images.png(80, 50))
        raise RuntimeError("the caller's own work failed")

    private = media_root / "private"
    referenced = {
        private / key
        for asset in MediaAsset.objects.all()
        for key in (asset.original_key, asset.master_key)
        if key
    }
    assert len(referenced) == 6 and len(files_under(private)) == 7
    public_before = files_under(media_root / "public")
    _age_everything(media_root)

    call_command("media_sweep", "--orphans")

    assert set(files_under(private)) == referenced  # only the orphan went
    assert files_under(media_root / "public") == public_before  # renditions are never touched
    assert services.media_sweep_orphans() == 0  # and a second pass finds nothing


def test_negative_interval_is_refused_and_sweeps_nothing(artist, media_root, monkeypatch):
    calls = []
    monkeypatch.setattr(command, "media_sweep_orphans", lambda: calls.append("swept") or 0)
    with pytest.raises(CommandError, match="--every takes a number of seconds"):
        call_command("media_sweep", "--orphans", "--every", "-5")
    assert calls == []


def test_the_loop_outlives_a_failed_sweep(monkeypatch):
    """`--every` keeps going after an error (a database restart), so `make run` stays up."""
    results = [RuntimeError("database restarting"), 2]

    def sweep_orphans():
        result = results.pop(0)
        if isinstance(result, Exception):
            raise result
        return result

    class Stop(BaseException):
        pass

    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 2:
            raise Stop

    monkeypatch.setattr(command, "media_sweep", lambda: 0)
    monkeypatch.setattr(command, "media_sweep_orphans", sweep_orphans)
    monkeypatch.setattr(command.time, "sleep", sleep)
    with pytest.raises(Stop):
        call_command("media_sweep", "--orphans", "--every", "3600")
    assert sleeps == [3600, 3600] and results == []


def test_a_single_run_still_reports_errors(monkeypatch):
    def broken():
        raise RuntimeError("store unreachable")

    monkeypatch.setattr(command, "media_sweep", broken)
    with pytest.raises(RuntimeError, match="store unreachable"):
        call_command("media_sweep", "--orphans")
