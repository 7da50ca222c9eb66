"""A server-rendered SVG bar chart (no script, no inline style: the CSP allows neither)."""

from kiln.insights.models import DailyViews

WIDTH, HEIGHT, BAR = 720, 160, 8
ORDER = [DailyViews.Kind.PROJECT, DailyViews.Kind.POST, DailyViews.Kind.PROFILE]


def stacked_bars(series: list[dict]) -> dict:
    """Bars for each day, stacked work / post / profile, scaled to the busiest day."""
    peak = max((sum(day[k] for k in ORDER) for day in series), default=0)
    scale = (HEIGHT - 10) / peak if peak else 0
    bars = []
    for index, day in enumerate(series):
        y = HEIGHT
        segments = []
        for kind in ORDER:
            height = round(day[kind] * scale, 1)
            if height:
                y = round(y - height, 1)
                segments.append({"kind": kind, "y": y, "height": height})
        total = sum(day[k] for k in ORDER)
        bars.append({"x": index * BAR, "segments": segments, "day": day["day"], "total": total})
    return {
        "width": len(series) * BAR,
        "height": HEIGHT,
        "peak": peak,
        "bars": bars,
        "first": series[0]["day"] if series else None,
        "last": series[-1]["day"] if series else None,
    }
