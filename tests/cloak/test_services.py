"""The cloak in the site: jobs, renditions rebuilt, cancel, resume, remove, unavailable."""

import io
from datetime import timedelta

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.utils import timezone
from PIL import Image

from kiln.cloak import services
from kiln.cloak.models import CloakJob
from kiln.core.access import AccessDenied

pytestmark = pytest.mark.django_db


def _rendition_keys(asset):
    return set(asset.renditions.values_list("key", flat=True))


def _start(capture, **kw):
    with capture(execute=True):
        job = services.cloak_job_start(**kw)
    return CloakJob.objects.get(pk=job.pk)


def test_cloak_rebuilds_renditions_from_cloaked_master_and_keeps_original(
    cloak_settings, artist, uploaded, png_bytes, django_capture_on_commit_callbacks
):
    before = _rendition_keys(uploaded)
    original_key = uploaded.original_key
    job = _start(django_capture_on_commit_callbacks, user=artist, asset=uploaded, intensity="low")
    assert job.state == CloakJob.State.DONE, job.failure_reason
    assert job.progress == 1.0
    r = job.report
    assert r["linf"] <= 4 and r["psnr"] > 30 and r["latent_shift"] > 0.1
    for k in ("ssim", "shift_after_jpeg85", "shift_after_resize_half"):
        assert k in r
    uploaded.refresh_from_db()
    after = _rendition_keys(uploaded)
    assert after and not (after & before)  # every rendition is new
    public = storages["default"]
    for key in before:
        assert not public.exists(key)  # uncloaked renditions deleted, not hidden
    # the original bytes are untouched, and the master is the cloaked image
    with storages["private"].open(original_key) as fh:
        assert fh.read() == png_bytes
    with storages["private"].open(uploaded.master_key) as fh:
        master = np.asarray(Image.open(io.BytesIO(fh.read())).convert("RGB"))
    orig = np.asarray(Image.open(io.BytesIO(png_bytes)).convert("RGB"))
    diff = np.abs(master.astype(int) - orig.astype(int))
    assert 0 < diff.max() <= 4
    assert set(job.preview_keys) == {"before", "after", "ai_clean", "ai_cloaked"}


def test_remove_rebuilds_from_original(
    cloak_settings, artist, uploaded, django_capture_on_commit_callbacks
):
    job = _start(django_capture_on_commit_callbacks, user=artist, asset=uploaded)
    uploaded.refresh_from_db()
    cloaked_keys, master, previews = (
        _rendition_keys(uploaded),
        uploaded.master_key,
        job.preview_keys,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.cloak_remove(user=artist, asset=uploaded)
    uploaded.refresh_from_db()
    assert not CloakJob.objects.filter(pk=job.pk).exists()
    assert uploaded.master_key == ""
    assert _rendition_keys(uploaded) and not (_rendition_keys(uploaded) & cloaked_keys)
    assert not storages["private"].exists(master)
    for key in previews.values():
        assert not storages["private"].exists(key)


def test_change_intensity_recloaks(
    cloak_settings, artist, uploaded, django_capture_on_commit_callbacks
):
    job = _start(django_capture_on_commit_callbacks, user=artist, asset=uploaded, intensity="low")
    with django_capture_on_commit_callbacks(execute=True):
        services.cloak_job_change_intensity(user=artist, job=job, intensity="high")
    job.refresh_from_db()
    assert job.state == CloakJob.State.DONE and job.intensity == "high"
    assert 6 <= job.report["linf"] <= 8


def test_cancel_queued_and_running(cloak_settings, artist, uploaded):
    job = services.cloak_job_start(user=artist, asset=uploaded)  # not committed: stays queued
    job = services.cloak_job_cancel(user=artist, job=job)
    assert job.state == CloakJob.State.CANCELLED
    # a running job is asked to stop; the worker notices at its next step
    services.cloak_job_start(user=artist, asset=uploaded)
    CloakJob.objects.filter(pk=job.pk).update(
        state=CloakJob.State.RUNNING, locked_until=timezone.now() + timedelta(minutes=5)
    )
    services.cloak_job_cancel(user=artist, job=job)
    job.refresh_from_db()
    assert job.cancel_requested and job.state == CloakJob.State.RUNNING


def test_worker_stops_when_cancel_requested(cloak_settings, artist, uploaded, monkeypatch):
    job = services.cloak_job_start(user=artist, asset=uploaded)
    keys = _rendition_keys(uploaded)
    real = services._Reporter.progress

    def progress(self, frac):
        real(self, frac)
        CloakJob.objects.filter(pk=self.job.pk).update(cancel_requested=True)
        self.last = 0  # check the flag on the next step, not a second later

    monkeypatch.setattr(services._Reporter, "progress", progress)
    assert services.cloak_job_run(job_id=job.pk) is False
    job.refresh_from_db()
    assert job.state == CloakJob.State.CANCELLED
    uploaded.refresh_from_db()
    assert _rendition_keys(uploaded) == keys and not uploaded.master_key


def test_killed_worker_is_resumed_by_sweeper(
    cloak_settings, artist, uploaded, django_capture_on_commit_callbacks
):
    job = services.cloak_job_start(user=artist, asset=uploaded)
    # A worker claimed it, then died: the row says running, with a lease in the past.
    CloakJob.objects.filter(pk=job.pk).update(
        state=CloakJob.State.RUNNING, attempts=1, locked_until=timezone.now() - timedelta(seconds=1)
    )
    assert services.cloak_job_run(job_id=job.pk) is True  # the expired lease is retaken
    job.refresh_from_db()
    assert job.state == CloakJob.State.DONE and job.attempts == 2


def test_live_lease_is_not_taken_twice(cloak_settings, artist, uploaded):
    job = services.cloak_job_start(user=artist, asset=uploaded)
    CloakJob.objects.filter(pk=job.pk).update(
        state=CloakJob.State.RUNNING, locked_until=timezone.now() + timedelta(minutes=5)
    )
    assert services.cloak_job_run(job_id=job.pk) is False
    assert services.cloak_sweep() == 0
    CloakJob.objects.filter(pk=job.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert services.cloak_sweep() == 1  # ImmediateBackend: the re-queued run happens inline
    job.refresh_from_db()
    assert job.state == CloakJob.State.DONE


def test_too_many_attempts_fail_cleanly(cloak_settings, artist, uploaded):
    job = services.cloak_job_start(user=artist, asset=uploaded)
    CloakJob.objects.filter(pk=job.pk).update(attempts=3)
    assert services.cloak_job_run(job_id=job.pk) is False
    job.refresh_from_db()
    assert job.state == CloakJob.State.FAILED and "several times" in job.failure_reason


def test_unavailable_without_weights(settings, artist, uploaded, tmp_path, monkeypatch):
    monkeypatch.setenv("KILN_MODELS_DIR", str(tmp_path))
    with pytest.raises(ValidationError, match="unavailable"):
        services.cloak_job_start(user=artist, asset=uploaded)
    assert not CloakJob.objects.exists()


def test_weights_vanishing_mid_queue_fail_with_reason(
    cloak_settings, artist, uploaded, tmp_path, monkeypatch
):
    job = services.cloak_job_start(user=artist, asset=uploaded)
    monkeypatch.setenv("KILN_MODELS_DIR", str(tmp_path))
    assert services.cloak_job_run(job_id=job.pk) is False
    job.refresh_from_db()
    assert job.state == CloakJob.State.FAILED and "unavailable" in job.failure_reason


def test_bad_input_changes_nothing(cloak_settings, artist, uploaded, make_user):
    with pytest.raises(ValidationError, match="intensity"):
        services.cloak_job_start(user=artist, asset=uploaded, intensity="max")
    other = make_user("mallory")
    with pytest.raises(AccessDenied):
        services.cloak_job_start(user=other, asset=uploaded)
    assert not CloakJob.objects.exists()


def test_preference(artist):
    from kiln.cloak.selectors import cloak_default_for

    assert cloak_default_for(user=artist) == (False, "default")
    services.cloak_preference_set(user=artist, cloak_by_default=True, default_intensity="high")
    assert cloak_default_for(user=artist) == (True, "high")
    with pytest.raises(ValidationError):
        services.cloak_preference_set(user=artist, cloak_by_default=True, default_intensity="x")
    assert cloak_default_for(user=artist) == (True, "high")


def test_publication_gate(cloak_settings, artist, uploaded):
    from kiln.cloak.selectors import cloak_blocks_publication

    assert cloak_blocks_publication(asset_ids=[uploaded.pk]) == set()
    services.cloak_job_start(user=artist, asset=uploaded)
    assert cloak_blocks_publication(asset_ids=[uploaded.pk]) == {uploaded.pk}
    services.cloak_job_start(user=artist, asset=uploaded, publish_before_done=True)
    assert cloak_blocks_publication(asset_ids=[uploaded.pk]) == set()


def test_sync_project_follows_the_artists_choice(
    cloak_settings, artist, uploaded, django_capture_on_commit_callbacks
):
    from kiln.portfolio.models import Project, ProjectImage

    project = Project.objects.create(owner=artist, cloak_requested=True, cloak_intensity="low")
    ProjectImage.objects.create(project=project, asset=uploaded)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.cloak_sync_project(user=artist, project=project) == 1
    job = CloakJob.objects.get(asset=uploaded)
    assert job.state == CloakJob.State.DONE and job.intensity == "low"
    assert services.cloak_sync_project(user=artist, project=project) == 0  # nothing to do
    project.cloak_requested = False
    with django_capture_on_commit_callbacks(execute=True):
        assert services.cloak_sync_project(user=artist, project=project) == 1
    uploaded.refresh_from_db()
    assert not CloakJob.objects.exists() and uploaded.master_key == ""
