"""Where the cloak's weight files are and whether they are all there, without torch.

Web processes ask `availability()` to show the cloak's state; importing torch for that would
cost each web worker about 830 ms at start and some 60 MB of memory, so the modules that
need torch (kiln.cloak.encoders, the attack) are imported only where the cloak runs.
"""

from __future__ import annotations

import os
from pathlib import Path

WEIGHT_FILES = {
    "taef2_encoder": "taef2_encoder.pth",
    "taef2_decoder": "taef2_decoder.pth",
    "taesana_encoder": "taesana_encoder.pth",
}

# SHA-256 of the upstream files; fetch_models refuses anything else.
WEIGHT_SHA256 = {
    "taef2_encoder.pth": "10a4e1021e89d7551eaf161352da8dbd0b1aa83872ae28b150c1df1ce2f147b6",
    "taef2_decoder.pth": "0a44a31e1ae59eb9dbf9359d24942fd3ef5928162c1800d97a28c61d51be0ab5",
    "taesana_encoder.pth": "858f4e4cc293f88efaf58107f4154b960b9ced0cb5d9c050dad11f926b618c1f",
}


class CloakUnavailable(RuntimeError):
    """The cloak cannot run here; ``reason`` says why in words an artist can read."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def models_dir() -> Path:
    """Where weight files live: ``$KILN_MODELS_DIR/taesd`` (or the dir itself if flat)."""
    root = os.environ.get("KILN_MODELS_DIR")
    if not root:
        try:  # Django settings may carry it; the CLI works without Django.
            from django.conf import settings

            root = getattr(settings, "KILN_MODELS_DIR", None)
        except Exception:
            root = None
    if not root:
        raise CloakUnavailable(
            "KILN_MODELS_DIR is not set, so the cloak's model files cannot be found."
        )
    base = Path(root)
    return base / "taesd" if (base / "taesd").is_dir() else base


def weight_path(name: str) -> Path:
    return models_dir() / WEIGHT_FILES[name]


def availability() -> str | None:
    """None when every weight file is present, else the reason the cloak is unavailable."""
    try:
        d = models_dir()
    except CloakUnavailable as exc:
        return exc.reason
    missing = [f for f in WEIGHT_FILES.values() if not (d / f).is_file()]
    if missing:
        return (
            f"model files missing from {d}: {', '.join(missing)}. "
            "Run `python manage.py fetch_models` to download them."
        )
    return None
