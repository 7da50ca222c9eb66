"""fetch_models: verified downloads, refused mismatches, a clear message offline."""

import shutil

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def _mirror(tmp_path, shared_dir, tamper=None):
    src = tmp_path / "mirror"
    src.mkdir()
    for f in ("taef2_encoder.pth", "taef2_decoder.pth", "taesana_encoder.pth"):
        shutil.copy(shared_dir / "models/taesd" / f, src / f)
    if tamper:
        with open(src / tamper, "ab") as fh:
            fh.write(b"\0")
    return src


def test_downloads_and_verifies(tmp_path, shared_dir, capsys):
    src, dest = _mirror(tmp_path, shared_dir), tmp_path / "models"
    call_command("fetch_models", dest=dest, base_url=src.as_uri())
    assert sorted(p.name for p in dest.iterdir()) == [
        "taef2_decoder.pth",
        "taef2_encoder.pth",
        "taesana_encoder.pth",
    ]
    call_command("fetch_models", dest=dest, base_url=src.as_uri())  # idempotent
    assert "present, SHA-256 verified" in capsys.readouterr().out


def test_refuses_mismatch(tmp_path, shared_dir):
    src, dest = _mirror(tmp_path, shared_dir, tamper="taef2_decoder.pth"), tmp_path / "models"
    with pytest.raises(CommandError, match="taef2_decoder.pth: SHA-256 .* does not match"):
        call_command("fetch_models", dest=dest, base_url=src.as_uri())
    assert not (dest / "taef2_decoder.pth").exists()
    assert (dest / "taef2_encoder.pth").exists()


def test_offline_message(tmp_path):
    with pytest.raises(CommandError, match="offline"):
        call_command("fetch_models", dest=tmp_path / "m", base_url="http://127.0.0.1:9/", timeout=2)
