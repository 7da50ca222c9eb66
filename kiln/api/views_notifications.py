"""Notifications v1: list (types[] / exclude_types[]), show, dismiss, clear; and v2's grouped
notifications: favourites and reblogs of one status, and a day's follows, as one group each."""

from __future__ import annotations

import datetime as dt

from kiln.api.entities import accounts_by_id
from kiln.api.http import (
    MAX_ID,
    ApiError,
    PageArgs,
    Params,
    api,
    json_response,
    parse_id,
    with_link,
)
from kiln.api.views_statuses import statuses_json
from kiln.notifications.models import Notification
from kiln.notifications.selectors import notifications_for
from kiln.notifications.services import notification_dismiss, notifications_clear
from kiln.social.selectors import hidden_author_ids

Kind = Notification.Kind
# Kiln's kinds as Mastodon's types. Kiln-only kinds (project likes and comments, possible
# reposts of your work) have no Mastodon type a client could show, so the API leaves them out.
TYPES = {
    Kind.LIKE: "favourite",
    Kind.REPOST: "reblog",
    Kind.REPLY: "mention",
    Kind.MENTION: "mention",
    Kind.QUOTE: "quote",
    Kind.FOLLOW: "follow",
}
KINDS_OF = {}
for _kind, _type in TYPES.items():
    KINDS_OF.setdefault(_type, []).append(_kind)


def _kinds(params: Params) -> list[str]:
    """Kiln kinds asked for; unknown Mastodon types are tolerated (they match nothing)."""
    wanted = params.list("types")
    excluded = set(params.list("exclude_types"))
    types = [t for t in (wanted or list(KINDS_OF)) if t not in excluded]
    return [kind for t in types for kind in KINDS_OF.get(t, [])]


def notifications_json(request, rows) -> list[dict]:
    accounts = accounts_by_id(request, {n.actor_id for n in rows})
    post_ids = [n.post_id for n in rows if n.post_id]
    statuses = {int(s["id"]): s for s in statuses_json(request, post_ids)} if post_ids else {}
    data = []
    for n in rows:
        if n.actor_id not in accounts:
            continue
        status = statuses.get(n.post_id) if n.post_id else None
        if n.post_id and status is None:  # the post is gone or hidden: so is the notice
            continue
        data.append(
            {
                "id": str(n.pk),
                "type": TYPES[n.kind],
                "created_at": n.created_at.isoformat().replace("+00:00", "Z"),
                "group_key": f"ungrouped-{n.pk}",
                "account": accounts[n.actor_id],
                "status": status,
            }
        )
    return data


def _filtered(request, params: Params):
    rows = notifications_for(user=request.api_user).filter(kind__in=_kinds(params))
    if account_id := params.get("account_id"):
        rows = rows.filter(actor_id=parse_id(account_id))
    hidden = hidden_author_ids(request.api_user)
    if hidden:
        rows = rows.exclude(actor_id__in=hidden)
    return rows


@api("read:notifications")
def notifications(request):
    params = Params(request)
    page = PageArgs(params, default=40, most=80)
    found = page.apply(_filtered(request, params))
    return with_link(
        request, json_response(notifications_json(request, found)), [n.pk for n in found]
    )


@api("read:notifications")
def notification_detail(request, notification_id):
    row = (
        notifications_for(user=request.api_user)
        .filter(pk=parse_id(notification_id), kind__in=list(TYPES))
        .first()
    )
    found = notifications_json(request, [row]) if row is not None else []
    if not found:
        raise ApiError(404, "Record not found")
    return json_response(found[0])


@api("write:notifications", methods=("POST",))
def dismiss(request, notification_id):
    notification_dismiss(user=request.api_user, notification_id=parse_id(notification_id))
    return json_response({})


@api("write:notifications", methods=("POST",))
def clear(request):
    notifications_clear(user=request.api_user)
    return json_response({})


# --- Grouped notifications (v2) -------------------------------------------------------------

GROUPABLE = {"favourite", "reblog", "follow"}  # as Mastodon groups them
SAMPLE_ACCOUNTS = 8


def group_key(n: Notification, grouped: set[str] = GROUPABLE) -> str:
    kind = TYPES[n.kind]
    if kind in grouped and kind in ("favourite", "reblog") and n.post_id:
        return f"{kind}-{n.post_id}"
    if kind in grouped and kind == "follow":
        return f"follow-{n.created_at:%Y%m%d}"
    return f"ungrouped-{n.pk}"


def _group_rows(request, key: str):
    """This reader's notifications in one group (newest first); 404 for a malformed key."""
    kind, _, rest = key.partition("-")
    rows = _filtered(request, Params(request)).filter(kind__in=list(TYPES))
    if kind == "ungrouped":
        return rows.filter(pk=parse_id(rest))
    if kind in ("favourite", "reblog"):
        return rows.filter(kind__in=KINDS_OF[kind], post_id=parse_id(rest))
    if kind == "follow" and (day := _day(rest)) is not None:
        return rows.filter(kind__in=KINDS_OF["follow"], created_at__date=day)
    raise ApiError(404, "Record not found")


def _day(text: str) -> dt.date | None:
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def _grouped(request, rows: list[Notification], grouped: set[str]) -> dict:
    """GroupedNotificationsResults for a page of notifications: groups newest first, each
    counted over the whole group (not just this page), accounts and statuses once each."""
    shown = notifications_json(request, rows)  # drops those whose post is gone or hidden
    by_id = {int(item["id"]): item for item in shown}
    groups: dict[str, dict] = {}
    for n in rows:
        item = by_id.get(n.pk)
        if item is None:
            continue
        key = group_key(n, grouped)
        group = groups.get(key)
        if group is None:
            group = groups[key] = {
                "group_key": key,
                "notifications_count": 0,
                "type": item["type"],
                "most_recent_notification_id": n.pk,
                "page_max_id": str(n.pk),
                "page_min_id": str(n.pk),
                "latest_page_notification_at": item["created_at"],
                "sample_account_ids": [],
                "status_id": item["status"]["id"] if item["status"] else None,
            }
        group["page_min_id"] = str(n.pk)
        group["notifications_count"] += 1
        actor = str(n.actor_id)
        if (
            actor not in group["sample_account_ids"]
            and len(group["sample_account_ids"]) < SAMPLE_ACCOUNTS
        ):
            group["sample_account_ids"].append(actor)
    for key, group in groups.items():
        if not key.startswith("ungrouped-"):
            group["notifications_count"] = _group_rows(request, key).count()
    accounts = {a["id"]: a for item in shown for a in [item["account"]]}
    statuses = {item["status"]["id"]: item["status"] for item in shown if item["status"]}
    return {
        "accounts": list(accounts.values()),
        "statuses": list(statuses.values()),
        "notification_groups": list(groups.values()),
    }


def _grouped_types(params: Params) -> set[str]:
    asked = params.list("grouped_types")
    return GROUPABLE & set(asked) if asked else GROUPABLE


@api("read:notifications")
def grouped_notifications(request):
    params = Params(request)
    page = PageArgs(params, default=40, most=80)
    found = page.apply(_filtered(request, params))
    response = json_response(_grouped(request, found, _grouped_types(params)))
    return with_link(request, response, [n.pk for n in found])


@api("read:notifications")
def notification_group(request, group_key):
    rows = list(_group_rows(request, group_key).order_by("-pk")[: SAMPLE_ACCOUNTS * 5])
    data = _grouped(request, rows, GROUPABLE)
    if not data["notification_groups"]:
        raise ApiError(404, "Record not found")
    return json_response(data)


@api("read:notifications")
def notification_group_accounts(request, group_key):
    rows = list(_group_rows(request, group_key).order_by("-pk")[:80])
    if not rows:
        raise ApiError(404, "Record not found")
    accounts = accounts_by_id(request, {n.actor_id for n in rows})
    seen: list[int] = []
    for n in rows:
        if n.actor_id in accounts and n.actor_id not in seen:
            seen.append(n.actor_id)
    return json_response([accounts[pk] for pk in seen])


@api("write:notifications", methods=("POST",))
def notification_group_dismiss(request, group_key):
    for pk in list(_group_rows(request, group_key).values_list("pk", flat=True)):
        notification_dismiss(user=request.api_user, notification_id=pk)
    return json_response({})


@api("read:notifications")
def unread_count(request):
    """Unread groups (Mastodon's v2 count), at most `limit` (100 by default, 1000 at most)."""
    params = Params(request)
    limit = max(1, min(params.int("limit", 100, lo=-MAX_ID, hi=MAX_ID), 1000))
    grouped = _grouped_types(params)
    rows = _filtered(request, params).filter(read_at__isnull=True).order_by("-pk")[: limit * 10]
    keys = {group_key(n, grouped) for n in rows}
    return json_response({"count": min(len(keys), limit)})
