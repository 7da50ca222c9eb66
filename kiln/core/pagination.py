"""Cursor pagination over time-sortable ids: no OFFSET, no duplicates or gaps as rows arrive."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 40


@dataclass
class CursorPage:
    items: list[Any]
    next_cursor: int | None  # pass as ?before= to get older items
    newest_cursor: int | None  # pass as ?after= to poll for newer items


# "Before the newest possible id": the cursor of a first page, for queries that always take one.
NO_CURSOR = 2**63 - 1


def page_of_ids(ids: list[int], size: int) -> CursorPage:
    """A page from ids fetched newest first, at least one more than `size` when there are
    more (so "is there an older page?" needs no second query)."""
    shown = ids[:size]
    return CursorPage(
        items=shown,
        next_cursor=shown[-1] if len(ids) > size else None,
        newest_cursor=shown[0] if shown else None,
    )


def parse_cursor(raw: str | None) -> int | None:
    """A cursor is a positive id; anything else (forged, garbled) is ignored, not an error."""
    if not raw:
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if 0 < value < 2**63 else None


def parse_page_size(raw: str | None, default: int = DEFAULT_PAGE_SIZE) -> int:
    try:
        size = int(raw) if raw else default
    except (TypeError, ValueError):
        size = default
    return max(1, min(size, MAX_PAGE_SIZE))


def paginate_by_id(
    queryset: QuerySet,
    *,
    before: int | None = None,
    after: int | None = None,
    size: int = DEFAULT_PAGE_SIZE,
    field: str = "id",
) -> CursorPage:
    """Newest first. `before` pages backwards; `after` returns only items newer than it."""
    if before is not None:
        queryset = queryset.filter(**{f"{field}__lt": before})
    if after is not None:
        queryset = queryset.filter(**{f"{field}__gt": after})
    rows = list(queryset.order_by(f"-{field}")[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    next_cursor = getattr(rows[-1], field) if rows and has_more else None
    newest = getattr(rows[0], field) if rows else after
    return CursorPage(items=rows, next_cursor=next_cursor, newest_cursor=newest)
