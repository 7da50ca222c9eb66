"""Accounts: show, lookup, statuses, followers, following, relationships, and follow, block
and mute through kiln.social's services."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from kiln.accounts.models import User
from kiln.api.entities import account_one, accounts_by_id
from kiln.api.http import ApiError, PageArgs, Params, api, json_response, parse_id, with_link
from kiln.api.views_statuses import statuses_json
from kiln.posts.models import PostAttachment
from kiln.posts.selectors import visible_posts
from kiln.social import services as social
from kiln.social.selectors import followers_of, following_of, relationships_with


def _account(raw_id) -> User:
    user = User.objects.filter(pk=parse_id(raw_id), is_active=True).first()
    if user is None:
        raise ApiError(404, "Record not found")
    return user


@api("read:accounts", auth="optional")
def account_detail(request, account_id):
    return json_response(account_one(request, _account(account_id).pk))


@api("read:accounts", auth="optional")
def lookup(request):
    acct = Params(request).str("acct", max_length=200).lstrip("@")
    username, _, domain = acct.partition("@")
    host = request.get_host().split(":")[0]
    user = None
    if username and domain in ("", host):
        user = User.objects.filter(username__iexact=username, is_active=True).first()
    if user is None:
        raise ApiError(404, "Record not found")
    return json_response(account_one(request, user.pk))


@api("read:statuses", auth="optional")
def account_statuses(request, account_id):
    owner = _account(account_id)
    params = Params(request)
    page = PageArgs(params)
    if params.bool("pinned"):  # Kiln has no pinned posts
        return json_response([])
    posts = visible_posts(request.api_user).filter(author=owner, commented_project_id__isnull=True)
    if params.bool("only_media"):
        posts = posts.filter(
            Exists(PostAttachment.objects.filter(post_id=OuterRef("pk"))), reblog__isnull=True
        )
    if params.bool("exclude_replies"):
        posts = posts.filter(in_reply_to__isnull=True, in_reply_to_deleted_account=False)
    if params.bool("exclude_reblogs"):
        posts = posts.filter(reblog__isnull=True)
    if tagged := params.str("tagged", max_length=100).lstrip("#").casefold():
        posts = posts.filter(tags__tag=tagged)
    ids = [p.pk for p in page.apply(posts.only("id"))]
    statuses = statuses_json(request, ids)
    return with_link(request, json_response(statuses), ids)


def _follow_page(request, rows, person: str):
    page = PageArgs(Params(request))
    follows = page.apply(rows)
    people = [getattr(f, f"{person}_id") for f in follows]
    accounts = accounts_by_id(request, people)
    data = [accounts[pk] for pk in people if pk in accounts]
    return with_link(request, json_response(data), [f.pk for f in follows])


@api("read:accounts", auth="optional")
def followers(request, account_id):
    owner = _account(account_id)
    return _follow_page(request, followers_of(owner=owner, viewer=request.api_user), "follower")


@api("read:accounts", auth="optional")
def following(request, account_id):
    owner = _account(account_id)
    return _follow_page(request, following_of(owner=owner, viewer=request.api_user), "followed")


def relationships_json(viewer, ids: list[int]) -> list[dict]:
    flags = relationships_with(viewer=viewer, other_ids=ids)
    return [
        {
            "id": str(pk),
            **flags[pk],
            "showing_reblogs": flags[pk]["following"],
            "notifying": False,
            "languages": None,
            "muting_notifications": flags[pk]["muting"],
            "requested": False,
            "requested_by": False,
            "domain_blocking": False,
            "endorsed": False,
            "note": "",
        }
        for pk in ids
    ]


@api("read:follows")
def relationships(request):
    raw = Params(request).list("id")
    if len(raw) > 40:
        raise ApiError(422, "Ask about at most 40 accounts at once")
    ids = list(dict.fromkeys(parse_id(i) for i in raw))
    return json_response(relationships_json(request.api_user, ids))


def _relationship_action(scope: str, act):
    @api(scope, methods=("POST",))
    def view(request, account_id):
        other = _account(account_id)
        act(request.api_user, other)
        return json_response(relationships_json(request.api_user, [other.pk])[0])

    return view


follow = _relationship_action(
    "write:follows", lambda me, other: social.follow_create(follower=me, followed=other)
)
unfollow = _relationship_action(
    "write:follows", lambda me, other: social.follow_delete(follower=me, followed=other)
)
block = _relationship_action(
    "write:blocks", lambda me, other: social.block_create(blocker=me, blocked=other)
)
unblock = _relationship_action(
    "write:blocks", lambda me, other: social.block_delete(blocker=me, blocked=other)
)
mute = _relationship_action(
    "write:mutes", lambda me, other: social.mute_create(muter=me, muted=other)
)
unmute = _relationship_action(
    "write:mutes", lambda me, other: social.mute_delete(muter=me, muted=other)
)
