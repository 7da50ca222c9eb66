from django.urls import path, re_path

from kiln.api import (
    oauth,
    views_accounts,
    views_credentials,
    views_instance,
    views_media,
    views_notifications,
    views_statuses,
    views_timelines,
)

# Ids are matched loosely (<str:...>) and checked by the views (kiln.api.http.parse_id), so
# a malformed or out-of-range id is Mastodon's 404 JSON, not the site's HTML 404 page.

app_name = "api"

urlpatterns = [
    # OAuth and app registration
    path("api/v1/apps", oauth.apps_create, name="apps"),
    path("api/v1/apps/verify_credentials", oauth.apps_verify_credentials),
    re_path(r"^oauth/authorize/?$", oauth.AuthorizeView.as_view(), name="authorize"),
    re_path(r"^oauth/token/?$", oauth.TokenView.as_view(), name="token"),
    re_path(r"^oauth/revoke/?$", oauth.RevokeView.as_view(), name="revoke"),
    path(".well-known/oauth-authorization-server", oauth.authorization_server_metadata),
    path("settings/apps", oauth.authorised_apps_page, name="authorised_apps"),
    path("settings/apps/<int:app_id>/revoke", oauth.authorised_app_revoke, name="app_revoke"),
    # Instance
    path("api/v1/instance", views_instance.instance_v1),
    path("api/v2/instance", views_instance.instance_v2),
    path("api/v1/preferences", views_instance.preferences),
    path("api/v1/custom_emojis", views_instance.custom_emojis),
    path("api/v1/lists", views_instance.lists),
    # The signed-in account
    path("api/v1/accounts/verify_credentials", views_credentials.verify_credentials),
    path("api/v1/accounts/update_credentials", views_credentials.update_credentials),
    # Timelines and search
    path("api/v1/timelines/home", views_timelines.home),
    path("api/v1/timelines/public", views_timelines.public),
    path("api/v1/timelines/tag/<str:hashtag>", views_timelines.tag),
    path("api/v2/search", views_timelines.search),
    # Statuses
    path("api/v1/statuses", views_statuses.status_create),
    path("api/v1/statuses/<str:status_id>", views_statuses.status_detail),
    path("api/v1/statuses/<str:status_id>/source", views_statuses.status_source),
    path("api/v1/statuses/<str:status_id>/history", views_statuses.status_history),
    path("api/v1/statuses/<str:status_id>/context", views_statuses.status_context),
    path("api/v1/statuses/<str:status_id>/favourite", views_statuses.favourite),
    path("api/v1/statuses/<str:status_id>/unfavourite", views_statuses.unfavourite),
    path("api/v1/statuses/<str:status_id>/reblog", views_statuses.reblog),
    path("api/v1/statuses/<str:status_id>/unreblog", views_statuses.unreblog),
    path("api/v1/statuses/<str:status_id>/bookmark", views_statuses.bookmark),
    path("api/v1/statuses/<str:status_id>/unbookmark", views_statuses.unbookmark),
    path("api/v1/statuses/<str:status_id>/favourited_by", views_statuses.favourited_by),
    path("api/v1/statuses/<str:status_id>/reblogged_by", views_statuses.reblogged_by),
    # Media
    path("api/v1/media", views_media.media_create),
    path("api/v2/media", views_media.media_create),
    path("api/v1/media/<str:media_id>", views_media.media_detail),
    # Accounts
    path("api/v1/accounts/lookup", views_accounts.lookup),
    path("api/v1/accounts/relationships", views_accounts.relationships),
    path("api/v1/accounts/<str:account_id>", views_accounts.account_detail),
    path("api/v1/accounts/<str:account_id>/statuses", views_accounts.account_statuses),
    path("api/v1/accounts/<str:account_id>/followers", views_accounts.followers),
    path("api/v1/accounts/<str:account_id>/following", views_accounts.following),
    path("api/v1/accounts/<str:account_id>/follow", views_accounts.follow),
    path("api/v1/accounts/<str:account_id>/unfollow", views_accounts.unfollow),
    path("api/v1/accounts/<str:account_id>/block", views_accounts.block),
    path("api/v1/accounts/<str:account_id>/unblock", views_accounts.unblock),
    path("api/v1/accounts/<str:account_id>/mute", views_accounts.mute),
    path("api/v1/accounts/<str:account_id>/unmute", views_accounts.unmute),
    # Notifications
    path("api/v1/notifications", views_notifications.notifications),
    path("api/v1/notifications/clear", views_notifications.clear),
    path("api/v1/notifications/<str:notification_id>", views_notifications.notification_detail),
    path("api/v1/notifications/<str:notification_id>/dismiss", views_notifications.dismiss),
]
