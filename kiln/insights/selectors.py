"""What an artist sees of their own views: the last 90 days, by day and by work."""

import datetime as dt
from collections import defaultdict

from django.db.models import Sum
from django.utils import timezone

from kiln.insights.models import DailyViews
from kiln.portfolio.models import Project
from kiln.posts.models import Post

WINDOW_DAYS = 90


def _since() -> dt.date:
    return timezone.now().date() - dt.timedelta(days=WINDOW_DAYS - 1)


def daily_series(*, owner) -> list[dict]:
    """One entry a day, oldest first, zeros included: {day, project, post, profile}."""
    since = _since()
    totals: dict = defaultdict(lambda: defaultdict(int))
    rows = (
        DailyViews.objects.filter(owner=owner, day__gte=since)
        .values("day", "kind")
        .annotate(total=Sum("views"))
    )
    for row in rows:
        totals[row["day"]][row["kind"]] = row["total"]
    series = []
    for offset in range(WINDOW_DAYS):
        day = since + dt.timedelta(days=offset)
        series.append({"day": day, **{k: totals[day][k] for k in DailyViews.Kind.values}})
    return series


def top_subjects(*, owner, kind: str, limit: int = 20) -> list[dict]:
    """The owner's works (or posts) by views over 90 days, with titles; most viewed first."""
    rows = list(
        DailyViews.objects.filter(owner=owner, kind=kind, day__gte=_since())
        .values("object_id")
        .annotate(views=Sum("views"), uniques=Sum("unique_viewers"))
        .order_by("-views", "-object_id")[:limit]
    )
    ids = [r["object_id"] for r in rows]
    if kind == DailyViews.Kind.PROJECT:
        names = {
            pk: title or "Untitled"
            for pk, title in Project.objects.filter(pk__in=ids).values_list("pk", "title")
        }
    else:
        names = {
            pk: (text[:60] + "…" if len(text) > 60 else text) or "Post"
            for pk, text in Post.objects.filter(pk__in=ids).values_list("pk", "text")
        }
    return [{**r, "name": names.get(r["object_id"], "Deleted")} for r in rows]


def project_views(*, project_id: int) -> int:
    """Views of one work over 90 days (shown to its artist only)."""
    total = DailyViews.objects.filter(
        kind=DailyViews.Kind.PROJECT, object_id=project_id, day__gte=_since()
    ).aggregate(total=Sum("views"))["total"]
    return total or 0
