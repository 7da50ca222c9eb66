from django.urls import path, re_path

from kiln.api import oauth, views_credentials, views_instance

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
]
