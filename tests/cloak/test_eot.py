"""Issue 26: expectation over transformation, the real purifications and the honest summary."""

import dataclasses
import io

import numpy as np
import pytest
import torch
from PIL import Image

from kiln.cloak import purify, summary
from kiln.cloak.attack import (
    CloakCancelled,
    CloakConfig,
    _cost,
    _plan,
    _smooth,
    cloak_array,
    to_tensor,
    to_uint8,
)
from kiln.cloak.encoders import load_models
from kiln.cloak.metrics import measure
from kiln.cloak.transforms import IDENTITY, Transform, jpeg_diff, sample_transform


@pytest.fixture
def models(models_dir):
    return load_models(device="cpu")


def _pil_jpeg(arr, q):
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="JPEG", quality=q, subsampling=2)
    return np.asarray(Image.open(buf).convert("RGB")).astype(np.float64)


@pytest.mark.parametrize("quality", [70, 95])
def test_differentiable_jpeg_is_close_to_libjpeg(painting, quality):
    ours = to_uint8(jpeg_diff(to_tensor(painting), quality)).astype(np.float64)
    real = _pil_jpeg(painting, quality)
    ours_err = np.abs(ours - real).mean()
    # The approximation is far closer to libjpeg than the uncompressed image is.
    assert ours_err < 0.6 * np.abs(painting - real).mean()


def test_differentiable_jpeg_passes_gradients(painting):
    x = to_tensor(painting).requires_grad_(True)
    jpeg_diff(x, 80).sum().backward()
    assert x.grad is not None and float(x.grad.abs().mean()) > 0.1


def test_draws_stay_inside_the_issue_ranges():
    g = torch.Generator().manual_seed(3)
    draws = [sample_transform(g) for _ in range(400)]
    real = [t for t in draws if t is not IDENTITY]
    assert 0.05 < 1 - len(real) / len(draws) < 0.4  # some steps see the upload as is
    assert all(0.25 <= t.scale <= 1 for t in real)
    assert all(t.crop[0] + t.crop[2] <= 0.1 and t.crop[1] + t.crop[3] <= 0.1 for t in real)
    assert all(t.quality is None or 70 <= t.quality <= 95 for t in real)
    assert {t.mode for t in real} == {"bicubic", "area", "bilinear"}
    assert any(t.flip for t in real) and any(t.noise > 0 for t in real)


def test_a_transform_is_the_same_for_original_and_cloak(painting):
    t = Transform(scale=0.5, crop=(0.05, 0.0, 0.0, 0.05), flip=True, quality=80, noise=0.01)
    x = to_tensor(painting)
    assert torch.equal(t(x), t(x))
    assert t(x).shape[-2:] == (64, 64)  # 96x128 at 0.5x, in multiples of 32 (few shapes)


def test_eot_keeps_the_exact_budget(models, painting):
    res = cloak_array(painting, CloakConfig(eps=4, steps=4, eot=True), models)
    diff = np.abs(res.cloaked.astype(int) - painting.astype(int))
    assert diff.max() <= 4


def test_report_measures_every_operation(models, painting):
    res = cloak_array(painting, CloakConfig(steps=3), models)
    report = measure(models, painting, res.cloaked)
    assert set(report["shifts"]) == set(summary.MEASURES)
    assert set(report["shifts_sana"]) == {"uploaded", "trainer_1024", "trainer_512", "jpeg85"}
    assert report["summary"] == summary.summary_line(report)
    # The transform's own change is not counted: an uncloaked image shifts by nothing.
    assert measure(models, painting, painting.copy())["shifts"]["noisy_upscale"] == 0


def test_measuring_reports_progress_and_can_be_cancelled(models, painting):
    seen = []
    measure(models, painting, painting.copy(), progress=seen.append)
    assert seen == sorted(seen) and len(seen) >= len(summary.MEASURES) and seen[-1] == 1.0
    with pytest.raises(CloakCancelled):
        measure(models, painting, painting.copy(), cancel=lambda: True)


def test_a_jobs_progress_counts_the_measures_so_the_eta_does_not_stall(models_dir, painting):
    """The attack ends part-way: the measures after it take about as long at 2048 px."""
    from kiln.cloak.pipeline import cloak_image

    seen = []
    cloak_image(Image.fromarray(painting), config=CloakConfig(steps=2), progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0
    assert seen.count(1.0) == 1  # reached once, at the very end
    assert sum(0.45 < f < 1.0 for f in seen) >= len(summary.MEASURES)


def test_trainer_pipeline_buckets_to_the_area():
    arr = np.zeros((640, 1024, 3), np.uint8)
    out = purify.trainer(arr, 512)
    assert out.shape[0] % 64 == 0 and out.shape[1] % 64 == 0
    assert 0.8 * 512**2 < out.shape[0] * out.shape[1] <= 512**2 * 1.05


def test_summary_line_in_plain_words():
    report = {"shifts": {"uploaded": 1.0, "trainer_1024": 0.8, "noisy_upscale": 0.3}}
    assert summary.summary_line(report) == (
        "holds after resizing to 1024 px; weakened by noisy upscaling"
    )
    report["shifts"]["median3"] = 0.1
    assert summary.summary_line(report).endswith("; mostly undone by a median filter")
    assert summary.summary_line({}) == ""
    worst = summary.weakest_report([{"shifts": {"half": 0.6}}, {"shifts": {"half": 0.3}}, {}])
    assert worst == {"shifts": {"half": 0.3}}


def _high_frequency_share(delta: np.ndarray) -> float:
    """Share of the perturbation's energy that a 2x2 block average removes."""
    d = delta.astype(np.float64)
    h, w = d.shape[0] // 2 * 2, d.shape[1] // 2 * 2
    d = d[:h, :w]
    low = d.reshape(h // 2, 2, w // 2, 2, 3).mean(axis=(1, 3)).repeat(2, 0).repeat(2, 1)
    return float(((d - low) ** 2).sum() / (d**2).sum())


def test_low_resolution_steps_make_a_smoother_cloak_within_the_budget(models, painting):
    plain = CloakConfig(steps=4, coarse_steps=0, eot=False, stop_shift=None)
    smooth = dataclasses.replace(plain, lowpass=4, lowpass_detail=0.0)
    deltas = []
    for cfg in (plain, smooth):
        out = cloak_array(painting, cfg, models).cloaked
        diff = out.astype(int) - painting.astype(int)
        assert np.abs(diff).max() <= cfg.eps  # the exact L-inf budget still holds
        deltas.append(diff)
    assert _high_frequency_share(deltas[1]) < 0.5 * _high_frequency_share(deltas[0])


def test_smoothing_is_a_block_average_plus_detail():
    t = torch.arange(64, dtype=torch.float32).view(1, 1, 8, 8)
    assert torch.equal(_smooth(t, 1, 0.0), t)
    low = _smooth(t, 4, 0.0)
    assert low.shape == t.shape
    assert torch.allclose(low.mean(), t.mean(), atol=1e-4)
    assert torch.allclose(_smooth(t, 4, 0.5), low + 0.5 * t)


def test_a_pool_plan_is_seeded_and_mostly_at_the_trainers_scales():
    cfg = CloakConfig(
        pool=6, pool_max_scale=0.75, trainer_sizes=(512,), p_identity=0.2, full_draws=(None, 85)
    )
    plan = _plan(cfg, 20, (1024, 800))
    assert plan == _plan(cfg, 20, (1024, 800))  # the same draws on every run
    full = [t for t in plan if t.scale == 1.0]
    assert len(full) == 4 and IDENTITY in full and Transform(quality=85) in full
    pool = [t for t in plan if t.scale < 1.0]
    assert len(set(pool)) == 6 and all(t.scale <= 0.75 for t in pool)
    # half the pool at the 512 px bucket of a 1024x800 image (area 512^2)
    assert sum(abs(t.scale - 512 / (1024 * 800) ** 0.5) < 1e-9 for t in set(pool)) == 3
    assert plan[-1].scale == 1.0  # the last step sees the image at full size


def test_references_are_encoded_once_per_draw(models, painting, monkeypatch):
    from kiln.cloak import attack

    calls = []
    real = attack._encode
    monkeypatch.setattr(attack, "_encode", lambda e, x, bf16: calls.append(x) or real(e, x, bf16))
    cfg = CloakConfig(
        pool=3, steps=9, p_identity=1 / 3, full_draws=(85,), coarse_steps=0, stop_shift=None
    )
    res = cloak_array(painting, cfg, models)
    assert np.abs(res.cloaked.astype(int) - painting.astype(int)).max() <= cfg.eps
    n_enc = len(cfg.encoders)
    # 9 steps with a gradient; references once for each of the 4 distinct draws
    assert len(calls) == n_enc * (9 + 4)


def test_the_default_plan_spends_a_third_of_its_steps_at_full_resolution():
    plan = _plan(CloakConfig(), CloakConfig().steps, (1024, 800))
    full = [t for t in plan if t.scale == 1.0]
    assert len(full) == len(plan) // 3
    assert full.count(Transform(quality=85)) == 2 * full.count(IDENTITY)
    assert plan[-1] == IDENTITY  # the last step is tuned on the file as published


def test_progress_counts_the_cost_of_each_step_so_the_eta_holds(models, painting):
    cfg = CloakConfig(steps=6, p_identity=1 / 3, stop_shift=None)
    seen = []
    cloak_array(painting, cfg, models, progress=seen.append)
    costs = [_cost(t) for t in _plan(cfg, 6, painting.shape[:2])]
    assert min(costs) < 1.0  # downscaled draws are cheaper than full-resolution steps
    steps = np.diff([0.0, *seen])
    assert steps == pytest.approx(np.array(costs) / sum(costs))
