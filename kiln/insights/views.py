from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kiln.insights import selectors
from kiln.insights.charts import stacked_bars
from kiln.insights.models import DailyViews


@login_required
@require_GET
def overview(request):
    """The artist's own insights: only ever their own numbers, so there is no id to guess."""
    series = selectors.daily_series(owner=request.user)
    totals = {k: sum(day[k] for day in series) for k in DailyViews.Kind.values}
    return render(
        request,
        "insights/overview.html",
        {
            "chart": stacked_bars(series),
            "totals": totals,
            "top_projects": selectors.top_subjects(owner=request.user, kind="project"),
            "top_posts": selectors.top_subjects(owner=request.user, kind="post"),
            "window_days": selectors.WINDOW_DAYS,
        },
    )
