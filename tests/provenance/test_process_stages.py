"""Showing verified stages on the work's page (issue 17): opt-in, protected like the work."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from test_process import _png_bytes, _stages, kra_file, work_png
from test_timelapse import encode, painted_over_time, painting

from kiln.core.access import AccessDenied
from kiln.media.models import MediaAsset, Rendition
from kiln.provenance import process
from kiln.provenance.process_models import ProcessStageImage


@pytest.fixture
def published(artist, upload, django_capture_on_commit_callbacks):
    """A published project whose one image has WIP stages attached (not shown yet)."""
    from kiln.portfolio.services import ImageInput, ProjectInput, project_create, project_publish

    final = painting()
    asset = upload(artist, _png_bytes(final))
    with django_capture_on_commit_callbacks(execute=True):
        project = project_create(
            owner=artist, data=ProjectInput(title="Kilns", images=[ImageInput(asset.pk, "kiln")])
        )
        project_publish(user=artist, project=project)
    evidence = process.process_stages_attach(
        user=artist, asset=asset, uploads=[_png_bytes(s) for s in _stages(final, 3)]
    )
    return project, asset, evidence


def _show(artist, evidence, show, capture):
    with capture(execute=True):  # the stage assets are processed by the real pipeline
        return process.process_evidence_show(user=artist, evidence=evidence, show=show)


def test_stages_are_off_until_the_artist_shows_them(
    client, artist, published, django_capture_on_commit_callbacks
):
    project, asset, evidence = published
    url = f"/@{artist.username}/projects/{project.pk}"
    assert "process-stages" not in client.get(url).content.decode()
    _show(artist, evidence, True, django_capture_on_commit_callbacks)
    body = client.get(url).content.decode()  # an anonymous reader
    assert body.count("Work in progress, stage") == 3
    stage_assets = MediaAsset.objects.filter(process_stage__evidence=evidence)
    assert stage_assets.count() == 3 and all(a.is_ready for a in stage_assets)
    # Renditions made by the media pipeline, with the rights reservation in every file;
    # the private evidence files are never on the page.
    rendition = Rendition.objects.filter(asset__in=stage_assets, format="jpeg").first()
    with storages["default"].open(rendition.key) as fh:
        assert b"DMI-PROHIBITED-AIMLTRAINING" in fh.read()
    assert all(key not in body for key in evidence.file_keys)

    _show(artist, evidence, False, django_capture_on_commit_callbacks)
    assert "process-stages" not in client.get(url).content.decode()
    assert not MediaAsset.objects.filter(pk__in=[a.pk for a in stage_assets]).exists()
    assert all(storages["private"].exists(k) for k in evidence.file_keys)  # evidence stays


def test_timelapse_frames_can_be_shown(artist, upload, django_capture_on_commit_callbacks):
    final = painting()
    asset = upload(artist, _png_bytes(final))
    evidence = process.process_timelapse_attach(
        user=artist, asset=asset, upload=encode(painted_over_time(final))
    )
    _show(artist, evidence, True, django_capture_on_commit_callbacks)
    assert ProcessStageImage.objects.filter(evidence=evidence).count() == 5


def test_a_layered_file_has_nothing_to_show(artist, upload, django_capture_on_commit_callbacks):
    asset = upload(artist, work_png())
    evidence = process.process_layered_attach(
        user=artist, asset=asset, upload=kra_file(work_png()), filename="w.kra"
    )
    with pytest.raises(ValidationError, match="no stages to show"):
        _show(artist, evidence, True, django_capture_on_commit_callbacks)
    evidence.refresh_from_db()
    assert not evidence.show_on_work and not ProcessStageImage.objects.exists()


def test_only_the_artist_can_show_them(
    client, artist, thief, staff, published, make_user, django_capture_on_commit_callbacks
):
    from kiln.social.services import block_create

    _, asset, evidence = published
    blocked = make_user("cy")
    block_create(blocker=artist, blocked=blocked)
    for user in (thief, staff, blocked):
        with pytest.raises(AccessDenied):
            _show(user, evidence, True, django_capture_on_commit_callbacks)
        client.force_login(user)
        url = f"/provenance/assets/{asset.pk}/process"
        assert client.post(url, {"evidence": evidence.pk, "show": "1"}).status_code == 404
    client.logout()
    assert client.post(url, {"evidence": evidence.pk, "show": "1"}).status_code == 302
    assert not ProcessStageImage.objects.exists()
    client.force_login(artist)
    r = client.post(url, {"evidence": evidence.pk, "show": "1"}, follow=True)
    assert "will show on the work" in r.content.decode()
    assert ProcessStageImage.objects.count() == 3


def test_deleting_the_project_deletes_the_shown_stages(
    artist, published, django_capture_on_commit_callbacks
):
    from kiln.portfolio.services import project_delete

    project, asset, evidence = published
    _show(artist, evidence, True, django_capture_on_commit_callbacks)
    stage_ids = list(ProcessStageImage.objects.values_list("asset_id", flat=True))
    keys = list(Rendition.objects.filter(asset_id__in=stage_ids).values_list("key", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        project_delete(user=artist, project=project)
    assert not MediaAsset.objects.filter(pk__in=stage_ids + [asset.pk]).exists()
    assert keys and not any(storages["default"].exists(k) for k in keys)
    assert not any(storages["private"].exists(k) for k in evidence.file_keys)
