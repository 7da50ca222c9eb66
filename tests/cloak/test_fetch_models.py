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


def test_if_missing_offline_prints_one_line_and_goes_on(tmp_path, capsys):
    """`make run` calls this: offline it must not stop the site from starting."""
    call_command(
        "fetch_models",
        dest=tmp_path / "m",
        base_url="http://127.0.0.1:9/",
        timeout=2,
        if_missing=True,
    )
    captured = capsys.readouterr()
    lines = [line for line in (captured.out + captured.err).splitlines() if line.strip()]
    assert len(lines) == 1 and "cloak off" in lines[0] and "fetch_models" in lines[0]
    assert not list((tmp_path / "m").iterdir())


def test_if_missing_skips_when_present(tmp_path, shared_dir, capsys):
    src, dest = _mirror(tmp_path, shared_dir), tmp_path / "models"
    call_command("fetch_models", dest=dest, base_url=src.as_uri())
    capsys.readouterr()
    call_command("fetch_models", dest=dest, base_url="http://127.0.0.1:9/", if_missing=True)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_make_run_fetches_models_when_missing():
    import shutil as sh
    import subprocess
    from pathlib import Path

    if sh.which("make") is None:
        pytest.skip("make is not installed")
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        ["make", "-n", "run", "STAMP=Makefile"], cwd=root, capture_output=True, text=True
    ).stdout
    assert "manage.py fetch_models --if-missing" in out
    # before the server starts
    assert out.index("fetch_models") < out.index("kiln.devserver")
