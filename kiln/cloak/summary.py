"""The measures the artist is shown, their names, and the one-line summary (no torch here:
web processes render these from the stored report)."""

from __future__ import annotations

# key -> (row label in the report table, phrase in the summary line). Order is display order.
MEASURES: dict[str, tuple[str, str]] = {
    "uploaded": ("As uploaded", "upload"),
    "trainer_1024": ("After a training pipeline at 1024 px", "resizing to 1024 px"),
    "trainer_512": ("After a training pipeline at 512 px", "resizing to 512 px"),
    "jpeg85": ("After JPEG quality 85", "JPEG re-saving"),
    "jpeg75": ("Purified: JPEG quality 75", "strong JPEG"),
    "jpeg90": ("Purified: JPEG quality 90", "JPEG 90"),
    "noisy_upscale": ("Purified: noise, then 2× upscale and back", "noisy upscaling"),
    "median3": ("Purified: 3×3 median filter", "a median filter"),
    "half": ("Purified: halved in size", "halving the size"),
    "taef2_roundtrip": ("Purified: autoencoder round trip (taef2)", "an autoencoder round trip"),
}
# Shift thresholds (relative latent change) for the plain words: at 0.5 a fine-tune learns
# visibly wrong textures in our previews; below 0.2 the decoded image looks like the original.
HOLDS, WEAKENED = 0.5, 0.2


def weakest_report(reports: list[dict]) -> dict:
    """Per measure, the lowest shift over a work's images (a work is as safe as its weakest)."""
    shifts: dict[str, float] = {}
    for report in reports:
        for key, value in (report or {}).get("shifts", {}).items():
            shifts[key] = min(value, shifts.get(key, value))
    return {"shifts": shifts} if shifts else {}


def summary_line(report: dict) -> str:
    """E.g. "holds after resizing to 1024 px; weakened by noisy upscaling"."""
    shifts = (report or {}).get("shifts") or {}
    holds, weak, gone = [], [], []
    for key, (_label, phrase) in MEASURES.items():
        if key == "uploaded" or key not in shifts:
            continue
        value = shifts[key]
        (holds if value >= HOLDS else weak if value >= WEAKENED else gone).append(phrase)
    parts = []
    if holds:
        parts.append("holds after " + _join(holds))
    if weak:
        parts.append("weakened by " + _join(weak))
    if gone:
        parts.append("mostly undone by " + _join(gone))
    return "; ".join(parts)


def rows(report: dict) -> list[dict]:
    """Table rows for templates: label, taef2 shift, Sana shift (where measured), plain word."""
    shifts = (report or {}).get("shifts") or {}
    sana = (report or {}).get("shifts_sana") or {}
    out = []
    for key, (label, _phrase) in MEASURES.items():
        if key in shifts:
            value = shifts[key]
            word = "holds" if value >= HOLDS else "weakened" if value >= WEAKENED else "undone"
            row = {"key": key, "label": label, "shift": value, "sana": sana.get(key), "word": word}
            out.append(row)
    return out


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
