"""Issue 26: the artist's report and the protection page show the measured shifts."""

import json

import pytest
from django.urls import reverse

from kiln.cloak.models import CloakJob
from kiln.cloak.summary import MEASURES
from kiln.cloak.templatetags import cloak_tags

pytestmark = pytest.mark.django_db

SHIFTS = {k: 0.7 for k in MEASURES} | {"noisy_upscale": 0.31, "median3": 0.12}


def test_report_shows_every_measure_and_the_summary(client, artist, uploaded):
    report = {"psnr": 37.1, "ssim": 0.96, "linf": 6, "latent_shift": 0.7, "shifts": SHIFTS}
    report["summary"] = "holds after x"
    job = CloakJob.objects.create(
        asset=uploaded, owner=artist, intensity="default", state="done", report=report
    )
    client.force_login(artist)
    page = client.get(reverse("cloak:job", args=[job.pk])).content.decode()
    for label, _phrase in MEASURES.values():
        assert label in page
    assert 'data-measure="noisy_upscale"><th scope="row">' in page and ">0.310<" in page
    assert 'class="cloak-verdict cloak-verdict-undone">undone<' in page  # median 3 at 0.12
    assert "the cloak holds after x." in page
    assert "diffusion upscaler would weaken" in page


def test_an_old_report_without_the_table_still_renders(client, artist, uploaded):
    report = {"psnr": 37.1, "latent_shift": 0.7, "shift_after_jpeg85": 0.5}
    job = CloakJob.objects.create(
        asset=uploaded, owner=artist, intensity="default", state="done", report=report
    )
    client.force_login(artist)
    page = client.get(reverse("cloak:job", args=[job.pk])).content.decode()
    assert "Re-cloak to see the full robustness table" in page


def test_protection_page_shows_the_bench_figures(client, tmp_path, monkeypatch):
    data = {
        "measured_on": "2026-12-07",
        "command": "python bench/cloak.py --write-page",
        "size": 1024,
        "paintings": {"count": 4, "shifts": SHIFTS},
        "held_out": {"count": 8, "shifts": dict(SHIFTS, half=0.44)},
        "hardest": {"name": "Starry Night", "shifts": dict(SHIFTS, jpeg85=0.273)},
        "psnr_min": 36.2,
        "ssim_min": 0.951,
        "seconds_per_mp": 58.5,
        "cpu_seconds_per_mp": 49.2,
        "threads": 2,
        "note": "1024 px master, float32",
    }
    path = tmp_path / "measured.json"
    path.write_text(json.dumps(data))
    monkeypatch.setattr(cloak_tags, "MEASURED", path)
    cloak_tags._measured.cache_clear()
    try:
        page = client.get(reverse("shield:protection")).content.decode()
    finally:
        cloak_tags._measured.cache_clear()
    assert "What we measured" in page and ">0.440<" in page and ">0.310<" in page
    assert "weakened by noisy upscaling" in page and "mostly undone by a median filter" in page
    assert "Hardest: Starry Night" in page and ">0.273<" in page
    assert "36.2 dB" in page and "8 images the cloak was never tuned on" in page
    assert "58.5 s per megapixel (49.2 CPU seconds" in page and "(1024 px master, float32)" in page


def test_the_committed_figures_cover_every_measure():
    """bench/cloak.py --write-page wrote them; the page must not show a partial table."""
    data = json.loads(cloak_tags.MEASURED.read_text())
    assert set(data["paintings"]["shifts"]) == set(MEASURES)
    assert set(data["held_out"]["shifts"]) == set(MEASURES)
    assert set(data["hardest"]["shifts"]) == set(MEASURES)
