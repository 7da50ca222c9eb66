"""The cloak pages: start, live progress fragment, report, previews only for the owner."""

import pytest
from django.template.defaultfilters import floatformat
from django.urls import reverse

from kiln.cloak.models import CloakJob

pytestmark = pytest.mark.django_db


def test_start_then_report_and_owner_only_previews(
    client, cloak_settings, artist, uploaded, make_user, django_capture_on_commit_callbacks
):
    client.force_login(artist)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("cloak:start", args=[uploaded.pk]), {"intensity": "default"})
    job = CloakJob.objects.get(asset=uploaded)
    assert r.status_code == 302 and r.url == reverse("cloak:job", args=[job.pk])
    assert job.state == CloakJob.State.DONE
    page = client.get(r.url).content.decode()
    psnr = floatformat(job.report["psnr"], 1)  # the report shows PSNR to one place
    assert "latent shift" in page and f'class="cloak-psnr">{psnr}<' in page
    frag = client.get(reverse("cloak:progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert b"hx-trigger" not in frag.content  # finished: polling stops
    for kind in ("before", "after", "ai_clean", "ai_cloaked"):
        img = client.get(reverse("cloak:preview", args=[job.pk, kind]))
        assert img.status_code == 200 and img["Content-Type"] == "image/png"
        assert "no-store" in img["Cache-Control"]
    assert client.get(reverse("cloak:preview", args=[job.pk, "original"])).status_code == 404
    client.force_login(make_user("mallory"))
    assert client.get(reverse("cloak:preview", args=[job.pk, "after"])).status_code == 404
    assert client.get(reverse("cloak:job", args=[job.pk])).status_code == 404
    assert client.post(reverse("cloak:cancel", args=[job.pk])).status_code == 404


def test_running_job_polls_with_progress_and_cancel(client, cloak_settings, artist, uploaded):
    from kiln.cloak.services import cloak_job_start

    job = cloak_job_start(user=artist, asset=uploaded)  # on_commit not run: stays queued
    CloakJob.objects.filter(pk=job.pk).update(state="running", progress=0.42, eta_seconds=17)
    client.force_login(artist)
    frag = client.get(reverse("cloak:progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    html = frag.content.decode()
    assert 'hx-trigger="every 1s"' in html and 'value="42"' in html and "17 s left" in html
    assert "Cancel" in html
    r = client.post(reverse("cloak:cancel", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "Stopping" in r.content.decode()
    job.refresh_from_db()
    assert job.cancel_requested


def test_unavailable_is_shown_and_start_refused(client, artist, uploaded, tmp_path, monkeypatch):
    monkeypatch.setenv("KILN_MODELS_DIR", str(tmp_path))
    client.force_login(artist)
    page = client.get(reverse("cloak:index")).content.decode()
    assert "switched off" in page and "fetch_models" not in page  # artists: no path, no command
    r = client.post(reverse("cloak:start", args=[uploaded.pk]), {"intensity": "default"})
    assert r.status_code == 302 and not CloakJob.objects.exists()


def test_bad_intensity_and_foreign_asset(client, cloak_settings, artist, uploaded, make_user):
    client.force_login(artist)
    r = client.post(reverse("cloak:start", args=[uploaded.pk]), {"intensity": "ultra"}, follow=True)
    assert "Choose a cloak intensity" in r.content.decode() and not CloakJob.objects.exists()
    client.force_login(make_user("mallory"))
    r = client.post(reverse("cloak:start", args=[uploaded.pk]), {"intensity": "low"})
    assert r.status_code == 404 and not CloakJob.objects.exists()


def test_default_preference_form(client, artist):
    client.force_login(artist)
    r = client.post(
        reverse("cloak:preference"), {"cloak_by_default": "on", "default_intensity": "high"}
    )
    assert r.status_code == 302
    page = client.get(reverse("cloak:index")).content.decode()
    assert 'value="high" selected' in page and "checked" in page
    assert "Hönig" in page  # the honest limits are on the page


def test_anonymous_is_sent_to_login(client):
    r = client.get(reverse("cloak:index"))
    assert r.status_code == 302 and "login" in r.url
