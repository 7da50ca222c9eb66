"""Statuses: create (with Idempotency-Key), show, edit, source, history, delete, context,
favourite, reblog, bookmark and who favourited or reblogged. Every write is kiln.posts'."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from kiln.api.entities import accounts_by_id, complete_statuses
from kiln.api.http import ApiError, PageArgs, Params, api, json_response, parse_id, with_link
from kiln.api.models import IdempotentStatus, MediaDescription
from kiln.media.models import MediaAsset
from kiln.posts import bookmarks, services
from kiln.posts.cards import post_statuses
from kiln.posts.models import Post, PostLike
from kiln.posts.selectors import can_view_post, post_edits, thread_for
from kiln.provenance.selectors import held_asset_ids
from kiln.social.selectors import hidden_author_ids

IDEMPOTENCY_WINDOW = dt.timedelta(hours=1)
VISIBILITY_IN = {"public": "public", "unlisted": "public", "private": "followers"}


def statuses_json(request, ids: list[int]) -> list[dict]:
    """Statuses for these post ids in this order (gone or hidden ones left out)."""
    viewer = request.api_user
    return complete_statuses(
        request, post_statuses(ids, viewer, hidden=hidden_author_ids(viewer) if viewer else set())
    )


def status_json(request, post_id: int) -> dict:
    found = statuses_json(request, [post_id])
    if not found:
        raise ApiError(404, "Record not found")
    return found[0]


def visible_post(request, raw_id) -> Post:
    """The post, if this reader may see it; otherwise 404, as Mastodon hides what you can't see."""
    post = Post.objects.select_related("author", "reblog__author").filter(pk=parse_id(raw_id))
    post = post.filter(commented_project_id__isnull=True).first()
    if post is None or not can_view_post(post, request.api_user):
        raise ApiError(404, "Record not found")
    if post.reblog_id and not can_view_post(post.reblog, request.api_user):
        raise ApiError(404, "Record not found")
    return post


@api(auth="optional", methods=("GET", "PUT", "DELETE"))
def status_detail(request, status_id):
    if request.method == "GET":
        if request.api_token is not None:
            _require_write(request, "read:statuses")
        return json_response(status_json(request, visible_post(request, status_id).pk))
    if request.api_user is None:
        raise ApiError(401, "The access token is invalid")
    if request.method == "PUT":
        return _status_edit(request, status_id)
    return _status_delete(request, status_id)


def _require_write(request, scope: str = "write:statuses") -> None:
    """For views that answer several methods: the scope this method needs."""
    from kiln.api import scopes

    if not scopes.allows(request.api_token.scope.split(), scope):
        raise ApiError(403, "This action is outside the authorized scopes")


def _own_post(request, status_id) -> Post:
    post = visible_post(request, status_id)
    if post.author_id != request.api_user.pk:
        # Another user's status: Mastodon answers 404 so ids can't be probed.
        raise ApiError(404, "Record not found")
    return post


def _status_edit(request, status_id):
    _require_write(request)
    post = _own_post(request, status_id)
    params = Params(request)
    kept = set(post.attachments.values_list("pk", flat=True))
    remove = []
    if "media_ids[]" in params.data or "media_ids" in params.data:
        wanted = {parse_id(i) for i in params.list("media_ids")}
        if wanted - kept:
            raise ApiError(422, "Adding images to a post while editing it isn't supported yet")
        remove = sorted(kept - wanted)
    alt_texts = {}
    for row in params.data.get("media_attributes", [[]])[0]:  # JSON: [{id, description}]
        if isinstance(row, dict):
            alt_texts[parse_id(row.get("id"))] = str(row.get("description") or "")
    services.post_edit(
        post=post,
        editor=request.api_user,
        text=params.str("status", post.text, max_length=services.MAX_TEXT_LENGTH),
        content_warning=params.str(
            "spoiler_text", post.content_warning, max_length=services.MAX_CONTENT_WARNING
        ),
        is_mature=params.bool("sensitive", post.is_mature),
        alt_texts=alt_texts,
        remove=remove,
    )
    return json_response(status_json(request, post.pk))


def _status_delete(request, status_id):
    _require_write(request)
    post = _own_post(request, status_id)
    status = status_json(request, post.pk)
    status["text"] = post.text
    services.post_delete(post=post, actor=request.api_user)
    return json_response(status)


def _attachments(request, params: Params) -> list[tuple]:
    ids = [parse_id(i) for i in params.list("media_ids")]
    if not ids:
        return []
    if len(ids) > services.MAX_IMAGES:
        raise ApiError(422, f"A post can have at most {services.MAX_IMAGES} images")
    owned = set(
        MediaAsset.objects.filter(pk__in=ids, owner=request.api_user).values_list("pk", flat=True)
    )
    for index, asset_id in enumerate(ids, start=1):
        if asset_id not in owned:
            raise ApiError(422, f"Image {index} is not one of your uploads")
    if held_asset_ids(asset_ids=ids):
        raise ApiError(
            422,
            "An image is held for review (it may be AI-generated or someone else's work) and "
            "can't be posted until a moderator clears it",
        )
    alts = dict(
        MediaDescription.objects.filter(asset_id__in=ids).values_list("asset_id", "description")
    )
    return [(asset_id, alts.get(asset_id, "")) for asset_id in ids]


@api("write:statuses", methods=("POST",))
def status_create(request):
    user = request.api_user
    key = request.headers.get("Idempotency-Key", "")[:64]
    if key:
        earlier = IdempotentStatus.objects.filter(
            user=user, key=key, created_at__gte=timezone.now() - IDEMPOTENCY_WINDOW
        ).first()
        if earlier is not None:
            return json_response(status_json(request, earlier.post_id))
    params = Params(request)
    if params.get("scheduled_at") not in (None, ""):
        # docs/decisions/api.md, "Scheduled statuses": refused before anything is written.
        raise ApiError(
            422,
            "Kiln does not schedule posts: post it when you want it seen "
            "(scheduled_at is not supported)",
        )
    visibility = params.str("visibility", "public", max_length=20)
    if visibility == "direct":
        raise ApiError(
            422,
            "Kiln has no direct posts: send a private message from Kiln's Messages instead",
        )
    if visibility not in VISIBILITY_IN:
        raise ApiError(422, "visibility must be public, unlisted or private")
    reply_to = params.get("in_reply_to_id")
    reply_to = parse_id(reply_to) if reply_to not in (None, "") else None
    if reply_to is not None:
        visible_post(request, reply_to)  # a reply to what you can't see is a 404
    fields = {
        "author": user,
        "text": params.str("status", max_length=services.MAX_TEXT_LENGTH + 1),
        "visibility": VISIBILITY_IN[visibility],
        "in_reply_to": reply_to,
        "content_warning": params.str("spoiler_text", max_length=services.MAX_CONTENT_WARNING + 1),
        "is_mature": params.bool("sensitive"),
        "attachments": _attachments(request, params),
    }
    try:
        with transaction.atomic():
            post = services.post_create(**fields)
            if key:
                IdempotentStatus.objects.filter(user=user, key=key).delete()  # an old one
                IdempotentStatus.objects.create(user=user, key=key, post_id=post.pk)
    except IntegrityError:  # the same key raced in twice: the first one won
        earlier = IdempotentStatus.objects.get(user=user, key=key)
        return json_response(status_json(request, earlier.post_id))
    return json_response(status_json(request, post.pk))


@api("read:statuses", auth="optional")
def status_source(request, status_id):
    post = _own_post(request, status_id) if request.api_user else visible_post(request, status_id)
    return json_response(
        {"id": str(post.pk), "text": post.text, "spoiler_text": post.content_warning}
    )


@api("read:statuses", auth="optional")
def status_history(request, status_id):
    post = visible_post(request, status_id)
    current = status_json(request, post.pk)
    versions = []
    for edit in reversed(post_edits(post=post)):  # oldest first, as Mastodon lists them
        versions.append(
            {
                "content": edit.text,
                "spoiler_text": edit.content_warning,
                "sensitive": edit.is_mature or bool(edit.content_warning),
                "created_at": edit.created_at.isoformat().replace("+00:00", "Z"),
                "account": current["account"],
                "media_attachments": [],
                "emojis": [],
            }
        )
    versions.append(
        {key: current[key] for key in ("content", "spoiler_text", "sensitive", "account", "emojis")}
        | {
            "created_at": current["edited_at"] or current["created_at"],
            "media_attachments": current["media_attachments"],
        }
    )
    return json_response(versions)


@api("read:statuses", auth="optional")
def status_context(request, status_id):
    post = visible_post(request, status_id)
    thread = thread_for(post=post.reblog or post, viewer=request.api_user)
    ancestors = [e["post"].pk for e in thread["ancestors"] if e["post"] is not None]
    descendants = [e["post"].pk for e in thread["replies"] if e["post"] is not None]
    statuses = {int(s["id"]): s for s in statuses_json(request, ancestors + descendants)}
    return json_response(
        {
            "ancestors": [statuses[pk] for pk in ancestors if pk in statuses],
            "descendants": [statuses[pk] for pk in descendants if pk in statuses],
        }
    )


def _action(scope: str):
    return api(scope, methods=("POST",))


@_action("write:favourites")
def favourite(request, status_id):
    post = visible_post(request, status_id)
    services.post_like(user=request.api_user, post=post)
    return json_response(status_json(request, (post.reblog or post).pk))


@_action("write:favourites")
def unfavourite(request, status_id):
    post = visible_post(request, status_id)
    services.post_unlike(user=request.api_user, post=post)
    return json_response(status_json(request, (post.reblog or post).pk))


@_action("write:statuses")
def reblog(request, status_id):
    post = visible_post(request, status_id)
    reblogged = services.post_reblog(user=request.api_user, post=post)
    return json_response(status_json(request, reblogged.pk))


@_action("write:statuses")
def unreblog(request, status_id):
    post = visible_post(request, status_id)
    services.post_unreblog(user=request.api_user, post=post)
    return json_response(status_json(request, (post.reblog or post).pk))


@_action("write:bookmarks")
def bookmark(request, status_id):
    post = visible_post(request, status_id)
    bookmarks.bookmark_post_add(owner=request.api_user, post_id=post.pk)
    return json_response(status_json(request, (post.reblog or post).pk))


@_action("write:bookmarks")
def unbookmark(request, status_id):
    post = visible_post(request, status_id)
    target = post.reblog or post
    bookmarks.bookmark_remove_everywhere(owner=request.api_user, post_id=target.pk)
    return json_response(status_json(request, target.pk))


def _people(request, rows, hidden: set[int]):
    """(row id, account id) pairs, newest first, as accounts with a Link header."""
    rows = [(pk, user_id) for pk, user_id in rows if user_id not in hidden]
    accounts = accounts_by_id(request, [user_id for _, user_id in rows])
    data = [accounts[user_id] for _, user_id in rows if user_id in accounts]
    return with_link(request, json_response(data), [pk for pk, _ in rows])


@api("read:accounts", auth="optional")
def favourited_by(request, status_id):
    post = visible_post(request, status_id)
    page = PageArgs(Params(request)).apply(PostLike.objects.filter(post=post.reblog or post))
    hidden = hidden_author_ids(request.api_user) if request.api_user else set()
    return _people(request, [(like.pk, like.user_id) for like in page], hidden)


@api("read:accounts", auth="optional")
def reblogged_by(request, status_id):
    post = visible_post(request, status_id)
    page = PageArgs(Params(request)).apply(Post.objects.filter(reblog=post.reblog or post))
    hidden = hidden_author_ids(request.api_user) if request.api_user else set()
    return _people(request, [(p.pk, p.author_id) for p in page], hidden)
