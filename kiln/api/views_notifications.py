"""Notifications v1: list (types[] / exclude_types[]), show, dismiss, clear."""

from __future__ import annotations

from kiln.api.entities import accounts_by_id
from kiln.api.http import ApiError, PageArgs, Params, api, json_response, parse_id, with_link
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


@api("read:notifications")
def notifications(request):
    params = Params(request)
    page = PageArgs(params, default=40, most=80)
    rows = notifications_for(user=request.api_user).filter(kind__in=_kinds(params))
    if account_id := params.get("account_id"):
        rows = rows.filter(actor_id=parse_id(account_id))
    hidden = hidden_author_ids(request.api_user)
    if hidden:
        rows = rows.exclude(actor_id__in=hidden)
    found = page.apply(rows)
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
