"""`make lint` runs import-linter's contracts (pyproject.toml): the app layers hold, and a
wrong-way import breaks them."""

import subprocess
import sys
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports() -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("home", "wrong_way"),
    [
        ("kiln/core", "from kiln.accounts import models"),  # core knows no domain
        ("kiln/media", "from kiln.shield import watermark"),  # media knows nothing of its users
        ("kiln/posts", "from kiln.timelines import services"),  # posts reach timelines by events
    ],
)
def test_a_wrong_way_import_breaks_the_layers(home, wrong_way):
    probe = REPO / home / f"_layer_probe_{uuid.uuid4().hex[:8]}.py"
    probe.write_text(f"{wrong_way}  # noqa: F401\n")
    try:
        result = _lint_imports()
    finally:
        probe.unlink()
    assert result.returncode != 0, result.stdout
    assert "BROKEN" in result.stdout and probe.stem in result.stdout


def test_the_layers_hold_today():
    result = _lint_imports()
    assert result.returncode == 0, result.stdout
