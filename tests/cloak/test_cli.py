"""python -m kiln.cloak: offline, no Django settings, a report with the measures."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[2]


def _run(args, models_dir):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(KILN_MODELS_DIR=str(models_dir), KILN_CLOAK_THREADS="1", PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, "-m", "kiln.cloak", *map(str, args)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_cloaks_and_reports(tmp_path, painting, shared_dir):
    src, out, report = tmp_path / "in.png", tmp_path / "out.png", tmp_path / "r.json"
    Image.fromarray(painting).save(src)
    original_bytes = src.read_bytes()
    r = _run([src, out, "--intensity", "low", "--report", report], shared_dir / "models")
    assert r.returncode == 0, r.stderr
    assert "cloaking [" in r.stderr and "ETA" in r.stderr  # the progress bar
    assert "PSNR" in r.stdout and "latent shift" in r.stdout
    data = json.loads(report.read_text())
    for key in ("psnr", "ssim", "linf", "latent_shift", "shift_after_jpeg85"):
        assert key in data
    assert data["linf"] <= 4 and data["latent_shift"] > 0.2 and data["psnr"] > 30
    cloaked = np.asarray(Image.open(out).convert("RGB")).astype(int)
    assert np.abs(cloaked - painting.astype(int)).max() == data["linf"]
    assert src.read_bytes() == original_bytes


def test_cli_without_weights_says_unavailable(tmp_path, painting):
    src = tmp_path / "in.png"
    Image.fromarray(painting).save(src)
    r = _run([src, tmp_path / "out.png"], tmp_path / "empty")
    assert r.returncode == 3
    assert "unavailable" in r.stderr and "taef2_encoder.pth" in r.stderr
    assert not (tmp_path / "out.png").exists()


def test_cli_rejects_unreadable_input(tmp_path, shared_dir):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image")
    r = _run([bad, tmp_path / "out.png"], shared_dir / "models")
    assert r.returncode == 2 and "cannot read" in r.stderr
