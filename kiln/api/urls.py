import re

from django.urls import path, re_path

from kiln.api import (
    oauth,
    views_accounts,
    views_credentials,
    views_instance,
    views_lists,
    views_media,
    views_notifications,
    views_statuses,
    views_timelines,
)

API_PREFIX = "api/v"  # kiln/urls.py mounts `api_patterns` under it, near the top


def api_path(route: str, view, **kwargs):
    """A route under /api/v…, that also answers with a trailing slash (Mastodon.py asks for
    /api/v2/instance/), ids matched loosely."""
    pattern = re.sub(r"<str:(\w+)>", r"(?P<\1>[^/]+)", route.removeprefix(API_PREFIX))
    return re_path(f"^{pattern}/?$", view, **kwargs)


# Ids are matched loosely (<str:...>) and checked by the views (kiln.api.http.parse_id), so
# a malformed or out-of-range id is Mastodon's 404 JSON, not the site's HTML 404 page.

app_name = "api"

# OAuth, the metadata document and the settings page: mounted at the root with the others.
urlpatterns = [
    re_path(r"^oauth/authorize/?$", oauth.AuthorizeView.as_view(), name="authorize"),
    re_path(r"^oauth/token/?$", oauth.TokenView.as_view(), name="token"),
    re_path(r"^oauth/revoke/?$", oauth.RevokeView.as_view(), name="revoke"),
    path(".well-known/oauth-authorization-server", oauth.authorization_server_metadata),
    path("settings/apps", oauth.authorised_apps_page, name="authorised_apps"),
    path("settings/apps/<id:app_id>/revoke", oauth.authorised_app_revoke, name="app_revoke"),
]

# The client API itself, hottest first (Django tries them in order).
api_patterns = [
    api_path("api/v1/timelines/home", views_timelines.home),
    # Apps
    api_path("api/v1/apps", oauth.apps_create),
    api_path("api/v1/apps/verify_credentials", oauth.apps_verify_credentials),
    # Instance
    api_path("api/v1/instance", views_instance.instance_v1),
    api_path("api/v2/instance", views_instance.instance_v2),
    api_path("api/v1/preferences", views_instance.preferences),
    api_path("api/v1/custom_emojis", views_instance.custom_emojis),
    api_path("api/v1/lists", views_instance.lists),
    # The signed-in account
    api_path("api/v1/accounts/verify_credentials", views_credentials.verify_credentials),
    api_path("api/v1/accounts/update_credentials", views_credentials.update_credentials),
    # Timelines and search
    api_path("api/v1/timelines/public", views_timelines.public),
    api_path("api/v1/timelines/tag/<str:hashtag>", views_timelines.tag),
    api_path("api/v2/search", views_timelines.search),
    # Statuses
    api_path("api/v1/statuses", views_statuses.status_create),
    api_path("api/v1/statuses/<str:status_id>", views_statuses.status_detail),
    api_path("api/v1/statuses/<str:status_id>/source", views_statuses.status_source),
    api_path("api/v1/statuses/<str:status_id>/history", views_statuses.status_history),
    api_path("api/v1/statuses/<str:status_id>/context", views_statuses.status_context),
    api_path("api/v1/statuses/<str:status_id>/favourite", views_statuses.favourite),
    api_path("api/v1/statuses/<str:status_id>/unfavourite", views_statuses.unfavourite),
    api_path("api/v1/statuses/<str:status_id>/reblog", views_statuses.reblog),
    api_path("api/v1/statuses/<str:status_id>/unreblog", views_statuses.unreblog),
    api_path("api/v1/statuses/<str:status_id>/bookmark", views_statuses.bookmark),
    api_path("api/v1/statuses/<str:status_id>/unbookmark", views_statuses.unbookmark),
    api_path("api/v1/statuses/<str:status_id>/favourited_by", views_statuses.favourited_by),
    api_path("api/v1/statuses/<str:status_id>/reblogged_by", views_statuses.reblogged_by),
    # Media
    api_path("api/v1/media", views_media.media_create),
    api_path("api/v2/media", views_media.media_create),
    api_path("api/v1/media/<str:media_id>", views_media.media_detail),
    # Accounts
    api_path("api/v1/accounts/lookup", views_accounts.lookup),
    api_path("api/v1/accounts/relationships", views_accounts.relationships),
    api_path("api/v1/accounts/<str:account_id>", views_accounts.account_detail),
    api_path("api/v1/accounts/<str:account_id>/statuses", views_accounts.account_statuses),
    api_path("api/v1/accounts/<str:account_id>/followers", views_accounts.followers),
    api_path("api/v1/accounts/<str:account_id>/following", views_accounts.following),
    api_path("api/v1/accounts/<str:account_id>/follow", views_accounts.follow),
    api_path("api/v1/accounts/<str:account_id>/unfollow", views_accounts.unfollow),
    api_path("api/v1/accounts/<str:account_id>/block", views_accounts.block),
    api_path("api/v1/accounts/<str:account_id>/unblock", views_accounts.unblock),
    api_path("api/v1/accounts/<str:account_id>/mute", views_accounts.mute),
    api_path("api/v1/accounts/<str:account_id>/unmute", views_accounts.unmute),
    # Notifications
    api_path("api/v1/notifications", views_notifications.notifications),
    api_path("api/v1/notifications/clear", views_notifications.clear),
    api_path("api/v1/notifications/<str:notification_id>", views_notifications.notification_detail),
    api_path("api/v1/notifications/<str:notification_id>/dismiss", views_notifications.dismiss),
    api_path("api/v2/notifications", views_notifications.grouped_notifications),
    api_path("api/v2/notifications/unread_count", views_notifications.unread_count),
    api_path("api/v2/notifications/<str:group_key>", views_notifications.notification_group),
    api_path(
        "api/v2/notifications/<str:group_key>/accounts",
        views_notifications.notification_group_accounts,
    ),
    api_path(
        "api/v2/notifications/<str:group_key>/dismiss",
        views_notifications.notification_group_dismiss,
    ),
    # Lists of the reader's own, and what Kiln has nothing for (empty, as Mastodon's would be)
    api_path("api/v1/favourites", views_lists.favourites),
    api_path("api/v1/bookmarks", views_lists.bookmarks),
    api_path("api/v1/follow_requests", views_lists.follow_requests),
    api_path("api/v1/announcements", views_lists.announcements),
    api_path("api/v2/filters", views_lists.filters),
    api_path("api/v1/trends", views_lists.trends),
    api_path("api/v1/trends/tags", views_lists.trends),
    api_path("api/v1/trends/statuses", views_lists.trends),
    api_path("api/v2/suggestions", views_lists.suggestions),
    api_path("api/v1/followed_tags", views_lists.followed_tags),
    api_path("api/v1/markers", views_lists.markers),
    api_path("api/v1/scheduled_statuses", views_lists.scheduled_statuses),
    re_path(r"^[12]/(?P<rest>.*)$", views_lists.not_found),
]
