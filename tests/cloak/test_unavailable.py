"""Issue 16.8: without the encoder weights the cloak never claims what it did not do."""

import pytest
from django.urls import reverse

from kiln.cloak.models import CloakJob
from kiln.cloak.selectors import UNAVAILABLE_FOR_ARTISTS

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_weights(tmp_path, monkeypatch, settings):
    empty = tmp_path / "no-models"
    empty.mkdir()
    monkeypatch.setenv("KILN_MODELS_DIR", str(empty))
    settings.KILN_MODELS_DIR = empty
    return empty


def _checkbox(page: str) -> str:
    return (
        page.split('name="cloak_requested"')[0].rsplit("<input", 1)[1]
        + page.split('name="cloak_requested"')[1].split(">", 1)[0]
    )


def test_publish_form_disables_the_cloak_with_a_plain_sentence(client, artist, no_weights):
    client.force_login(artist)
    page = client.get("/portfolio/new").content.decode()
    assert "disabled" in _checkbox(page)
    assert UNAVAILABLE_FOR_ARTISTS in page
    assert str(no_weights) not in page and "fetch_models" not in page


def test_publish_form_enabled_with_weights(client, artist, models_dir):
    client.force_login(artist)
    page = client.get("/portfolio/new").content.decode()
    assert "disabled" not in _checkbox(page) and UNAVAILABLE_FOR_ARTISTS not in page


def test_a_posted_cloak_choice_is_ignored_without_weights(client, artist, uploaded, no_weights):
    from kiln.portfolio.models import Project

    asset = uploaded
    client.force_login(artist)
    data = {
        "title": "Night",
        "action": "draft",
        "image": [str(asset.pk)],
        f"alt-{asset.pk}": "A night sky",
        "cloak_requested": "on",
        "cloak_intensity": "high",
    }
    r = client.post("/portfolio/new", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    project = Project.objects.get()
    assert not project.cloak_requested and not CloakJob.objects.exists()


def test_existing_choice_survives_an_edit_without_weights(client, artist, uploaded, no_weights):
    """A disabled field keeps the saved value: losing the weights never removes a cloak."""
    from kiln.portfolio.models import Project

    asset = uploaded
    client.force_login(artist)
    data = {"title": "Night", "action": "draft", "image": [str(asset.pk)]}
    data[f"alt-{asset.pk}"] = "A night sky"
    client.post("/portfolio/new", data)
    project = Project.objects.get()
    Project.objects.filter(pk=project.pk).update(cloak_requested=True, cloak_intensity="high")
    r = client.post(f"/portfolio/projects/{project.pk}/edit", dict(data, title="Night 2"))
    assert r.status_code == 302
    project.refresh_from_db()
    assert project.title == "Night 2" and project.cloak_requested
    assert project.cloak_intensity == "high"


def test_artists_never_see_the_server_path_or_command(client, artist, uploaded, no_weights):
    client.force_login(artist)
    page = client.get(reverse("cloak:index")).content.decode()
    assert UNAVAILABLE_FOR_ARTISTS in page
    assert str(no_weights) not in page and "fetch_models" not in page
    r = client.post(reverse("cloak:start", args=[uploaded.pk]), {"intensity": "default"})
    page = client.get(r.url).content.decode()
    assert "fetch_models" not in page and str(no_weights) not in page
    assert not CloakJob.objects.exists()


def test_staff_see_the_path_and_command_in_the_admin(client, make_user, no_weights):
    from django.conf import settings

    staff = make_user("root")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    page = client.get(f"/{settings.KILN_ADMIN_PATH}/cloak/cloakjob/").content.decode()
    assert "fetch_models" in page and str(no_weights) in page


def test_a_job_that_loses_its_weights_fails_without_the_path(
    cloak_settings, models_dir, artist, uploaded, no_weights, monkeypatch
):
    from kiln.cloak import services

    monkeypatch.setenv("KILN_MODELS_DIR", str(models_dir))
    job = services.cloak_job_start(user=artist, asset=uploaded)
    monkeypatch.setenv("KILN_MODELS_DIR", str(no_weights))
    assert services.cloak_job_run(job_id=job.pk) is False
    job.refresh_from_db()
    assert job.state == CloakJob.State.FAILED and "unavailable" in job.failure_reason
    assert str(no_weights) not in job.failure_reason and "fetch_models" not in job.failure_reason
