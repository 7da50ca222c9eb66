"""Our own modules load the TAESD weights and reproduce the README's reference values."""

import numpy as np
import pytest
import torch
from PIL import Image

from kiln.cloak import encoders
from kiln.cloak.encoders import CloakUnavailable, availability, load_models, load_module


def test_param_counts_match_readme(models_dir):
    counts = {n: sum(p.numel() for p in load_module(n).parameters()) for n in encoders.BUILDERS}
    assert counts["taef2_encoder"] == 1_338_528
    assert counts["taef2_decoder"] == 1_338_499
    assert 1_100_000 < counts["taesana_encoder"] < 1_300_000


def test_reference_values(models_dir, shared_dir):
    m = load_models("cpu")
    with torch.no_grad():
        z = m.encoders["taef2_encoder"](torch.full((1, 3, 64, 64), 0.5))
        assert z.shape == (1, 32, 8, 8)
        assert z.mean().item() == pytest.approx(-0.0437, abs=1e-3)
        assert z.std().item() == pytest.approx(0.4496, abs=1e-3)
        assert m.decoder(z).mean().item() == pytest.approx(0.4998, abs=1e-3)
        im = Image.open(shared_dir / "samples/art/the_scream.jpg").convert("RGB").resize((256, 320))
        x = torch.from_numpy(np.array(im)).permute(2, 0, 1)[None].float() / 255
        z = m.encoders["taef2_encoder"](x)
        assert z.mean().item() == pytest.approx(0.0302, abs=1e-3)
        assert z.std().item() == pytest.approx(0.8305, abs=1e-3)
        assert m.encoders["taesana_encoder"](x).shape == (1, 32, 10, 8)


def test_missing_weights_make_cloak_unavailable(tmp_path, monkeypatch):
    monkeypatch.setenv("KILN_MODELS_DIR", str(tmp_path))
    reason = availability()
    assert reason and "taef2_encoder.pth" in reason and "fetch_models" in reason
    with pytest.raises(CloakUnavailable) as exc:
        load_models("cpu")
    assert "taef2_encoder.pth" in exc.value.reason


def test_corrupt_weights_are_refused(tmp_path, monkeypatch):
    for f in encoders.WEIGHT_FILES.values():
        (tmp_path / f).write_bytes(b"not a torch file")
    monkeypatch.setenv("KILN_MODELS_DIR", str(tmp_path))
    with pytest.raises(CloakUnavailable, match="could not be loaded"):
        load_module("taef2_encoder")


def test_present_weights_are_available(models_dir):
    assert availability() is None
