"""Favourites and bookmarks lists, and the endpoints clients call at start-up for things Kiln
has no counterpart to (they answer empty, as a fresh Mastodon account's would)."""

from __future__ import annotations

from kiln.api.http import ApiError, PageArgs, Params, api, json_response, with_link
from kiln.api.views_statuses import statuses_json
from kiln.posts.selectors import bookmark_rows, favourite_rows


def _post_list(request, rows):
    found = PageArgs(Params(request)).apply(rows)
    post_ids = list(dict.fromkeys(row.post_id for row in found))  # a post in two collections
    return with_link(
        request, json_response(statuses_json(request, post_ids)), [row.pk for row in found]
    )


@api("read:favourites")
def favourites(request):
    return _post_list(request, favourite_rows(user=request.api_user))


@api("read:bookmarks")
def bookmarks(request):
    return _post_list(request, bookmark_rows(user=request.api_user))


def _empty(scope: str | None, auth: str = "required"):
    @api(scope, auth=auth)
    def view(request, *args, **kwargs):
        return json_response([])

    return view


follow_requests = _empty("read:follows")
announcements = _empty(None)
filters = _empty("read:filters")
trends = _empty(None, auth="optional")
suggestions = _empty("read")
followed_tags = _empty("read:follows")
# Kiln posts have no scheduling (docs/decisions/api.md): none can exist, and creating one is
# a 422 at POST /api/v1/statuses.
scheduled_statuses = _empty("read:statuses")


@api("read:statuses")
def markers(request):
    return json_response({})


@api(auth="optional", methods=("GET", "POST", "PUT", "PATCH", "DELETE"))
def not_found(request, rest=""):
    """Any other /api/v1 or /api/v2 path: Mastodon's JSON 404, never the site's HTML page."""
    raise ApiError(404, "Record not found")
