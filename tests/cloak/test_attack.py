"""The attack itself: exact budget, real protection, input untouched."""

import numpy as np
import pytest

from kiln.cloak.attack import (
    INTENSITY_EPS,
    CloakCancelled,
    CloakConfig,
    _tiles,
    cloak_array,
    quantise,
    to_tensor,
)
from kiln.cloak.encoders import load_models
from kiln.cloak.metrics import latent_shift, linf, psnr, ssim


@pytest.fixture
def models(models_dir):
    return load_models("cpu")


def test_quantise_clips_after_rounding():
    orig = np.array([[[0, 100, 255]]], np.uint8)
    adv = to_tensor(np.array([[[20, 90, 200]]], np.uint8))  # far outside a 4/255 budget
    out = quantise(adv, orig, 4)
    assert out.tolist() == [[[4, 96, 251]]]


@pytest.mark.parametrize("intensity", ["low", "high"])
def test_budget_holds_exactly_and_shift_is_real(models, painting, intensity):
    before = painting.copy()
    cfg = CloakConfig.for_intensity(intensity, steps=6)
    res = cloak_array(painting, cfg, models)
    eps = INTENSITY_EPS[intensity]
    diff = np.abs(res.cloaked.astype(int) - painting.astype(int))
    assert diff.max() <= eps
    assert diff.max() >= eps - 1  # the budget is used, not ignored
    assert np.array_equal(painting, before)  # input untouched
    shift = latent_shift(models, painting, res.cloaked)
    assert shift["taef2_encoder"] > 0.3
    assert shift["taesana_encoder"] > 0.1
    assert psnr(painting, res.cloaked) > 33
    assert ssim(painting, res.cloaked) > 0.85


def test_random_noise_at_same_budget_moves_latent_far_less(models, painting):
    """The shift comes from the optimisation, not from any change at all."""
    rng = np.random.default_rng(0)
    noise = rng.integers(-6, 7, painting.shape)
    noisy = np.clip(painting.astype(int) + noise, 0, 255).astype(np.uint8)
    # Without EOT: this is about the optimiser (EOT trades some as-uploaded shift for
    # robustness; tests/cloak/test_eot.py checks that trade).
    res = cloak_array(painting, CloakConfig(steps=6, eot=False), models)
    s_noise = latent_shift(models, painting, noisy)["taef2_encoder"]
    s_cloak = latent_shift(models, painting, res.cloaked)["taef2_encoder"]
    assert s_cloak > 3 * s_noise


def test_tiling_covers_every_pixel_once(models):
    for n in (100, 1024, 1500, 2048, 2100):
        tiles = _tiles(n, 512, 64)
        assert tiles[0][2] == 0 and tiles[-1][3] == n
        for (s, e, ks, ke), nxt in zip(tiles, tiles[1:] + [None], strict=True):
            assert s <= ks < ke <= e
            if nxt:
                assert nxt[2] == ke


def test_tiles_are_few_and_even_so_the_overlap_costs_little():
    tiles = _tiles(2048, 1024, 64)
    sizes = {e - s for s, e, *_ in tiles}
    assert len(sizes) == 1 and sizes.pop() % 32 == 0
    assert sum(e - s for s, e, *_ in tiles) <= 1.1 * 2048  # not 3 x 1024
    assert all(e <= 2048 for _s, e, *_ in tiles)
    assert all(s % 16 == 0 for s, *_ in tiles)  # on a JPEG's block grid (2048 is padded)
    assert all(a[1] - b[0] >= 48 for a, b in zip(tiles, tiles[1:], strict=False))


def test_tiled_image_keeps_budget(models):
    rng = np.random.default_rng(1)
    img = rng.integers(0, 256, (80, 200, 3)).astype(np.uint8)
    res = cloak_array(img, CloakConfig(steps=2, tile=96, overlap=32), models)
    assert res.cloaked.shape == img.shape
    assert linf(img, res.cloaked) <= 6
    # every tile got a perturbation (no untouched stripe)
    changed = np.abs(res.cloaked.astype(int) - img.astype(int)).max(axis=(0, 2))
    assert (changed > 0).all()


def test_progress_and_cancel(models, painting):
    seen = []
    cloak_array(painting, CloakConfig(steps=4), models, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == pytest.approx(1.0)
    calls = []

    def cancel():
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(CloakCancelled):
        cloak_array(painting, CloakConfig(steps=10), models, cancel=cancel)


@pytest.mark.parametrize(
    "bad",
    [
        np.zeros((10, 10, 3), np.uint8),
        np.zeros((64, 64), np.uint8),
        np.zeros((64, 64, 3), np.float32),
    ],
)
def test_bad_input_is_refused(models, bad):
    with pytest.raises(ValueError):
        cloak_array(bad, CloakConfig(steps=1), models)


def test_unknown_intensity_is_refused():
    with pytest.raises(ValueError, match="intensity"):
        CloakConfig.for_intensity("extreme")


def test_bf16_only_where_the_hardware_runs_it(models, painting, monkeypatch):
    """Emulated bf16 is hundreds of times slower than float32 (AMD EPYC without AVX-512)."""
    from kiln.cloak import attack

    seen = []
    real = attack._encode
    # Record the choice, then run in float32 whatever it was (fast on every CPU).
    monkeypatch.setattr(
        attack, "_encode", lambda e, x, bf16: seen.append(bf16) or real(e, x, False)
    )
    for fast in (False, True):
        monkeypatch.setattr(attack, "bf16_is_fast", lambda device, fast=fast: fast)
        seen.clear()
        cloak_array(painting[:64, :64].copy(), CloakConfig(steps=1, coarse_steps=0), models)
        assert seen and set(seen) == {fast}
    seen.clear()
    cloak_array(painting[:64, :64].copy(), CloakConfig(steps=1, coarse_steps=0, bf16=False), models)
    assert set(seen) == {False}
