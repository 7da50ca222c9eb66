"""The cloak's measures for templates: the artist's own report and the bench's figures."""

import json
from functools import cache
from pathlib import Path

from django import template

from kiln.cloak import summary

register = template.Library()
MEASURED = Path(__file__).resolve().parent.parent / "measured.json"


@register.filter
def cloak_rows(report: dict) -> list[dict]:
    """A job report's shifts as table rows (label, taef2, Sana, holds / weakened / undone)."""
    return summary.rows(report)


@cache
def _measured() -> dict | None:
    try:
        data = json.loads(MEASURED.read_text())
    except (OSError, ValueError):
        return None
    held = (data.get("held_out") or {}).get("shifts") or {}
    hardest = (data.get("hardest") or {}).get("shifts") or {}
    data["rows"] = [
        {
            "label": label,
            "paintings": data["paintings"]["shifts"].get(key),
            "hardest": hardest.get(key),
            "held_out": held.get(key),
        }
        for key, (label, _phrase) in summary.MEASURES.items()
        if key in data["paintings"]["shifts"]
    ]
    data["summary"] = summary.summary_line(data["paintings"])
    return data


@register.simple_tag
def cloak_measured() -> dict | None:
    """What `bench/cloak.py --write-page` measured (None before it was ever run)."""
    return _measured()
