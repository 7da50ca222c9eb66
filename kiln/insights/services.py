"""The worker's half of insights: move the day's shared counters into DailyViews."""

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from kiln.accounts.models import User
from kiln.insights.models import DailyViews
from kiln.insights.store import view_store
from kiln.portfolio.models import Project
from kiln.posts.models import Post

logger = logging.getLogger("kiln.insights")
KEEP_DAYS = 90


def _parse(subject: str) -> tuple[str, int, str] | None:
    kind, _, rest = subject.partition(":")
    raw_id, _, username = rest.partition(":")
    if kind not in DailyViews.Kind.values or not raw_id.isdigit() or not username:
        return None
    return kind, int(raw_id), username


def views_flush(*, now: dt.datetime | None = None) -> int:
    """Write today's and yesterday's totals (absolute, so flushing twice changes nothing) and
    drop what is older than 90 days. Subjects whose owner or object no longer matches (a
    renamed account, a deleted post) are skipped. Returns the rows written."""
    now = now or timezone.now()
    today = now.date()
    days = [(today - dt.timedelta(days=1)).isoformat(), today.isoformat()]
    store = view_store()
    parsed = []
    for day, subject, hits, uniques in store.totals(days):
        found = _parse(subject)
        if found is not None:
            parsed.append((dt.date.fromisoformat(day), *found, hits, uniques))
    owners = (
        {
            name.lower(): pk
            for pk, name in User.objects.filter(username__in={p[3] for p in parsed}).values_list(
                "pk", "username"
            )
        }
        if parsed
        else {}
    )
    project_owner = dict(
        Project.objects.filter(pk__in={p[2] for p in parsed if p[1] == "project"}).values_list(
            "pk", "owner_id"
        )
    )
    post_owner = dict(
        Post.objects.filter(pk__in={p[2] for p in parsed if p[1] == "post"}).values_list(
            "pk", "author_id"
        )
    )
    rows = []
    for day, kind, object_id, username, hits, uniques in parsed:
        owner_id = owners.get(username)
        if owner_id is None:
            continue
        if kind == "profile":
            object_id = owner_id
        elif {"project": project_owner, "post": post_owner}[kind].get(object_id) != owner_id:
            continue
        rows.append(
            DailyViews(
                kind=kind,
                object_id=object_id,
                owner_id=owner_id,
                day=day,
                views=hits,
                unique_viewers=min(uniques, hits),
            )
        )
    with transaction.atomic():
        if rows:
            DailyViews.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["kind", "object_id", "day"],
                update_fields=["views", "unique_viewers"],
            )
        DailyViews.objects.filter(day__lt=today - dt.timedelta(days=KEEP_DAYS)).delete()
    store.forget_before(days[0])
    return len(rows)
