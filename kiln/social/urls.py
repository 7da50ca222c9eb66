from django.urls import path

from kiln.social import views

app_name = "social"

urlpatterns = [
    path("@<username:username>/followers", views.followers, name="followers"),
    path("@<username:username>/following", views.following, name="following"),
    # One explicit path per action, so /@name/posts and friends stay the profile's.
    *[
        path(
            f"@<username:username>/{action}",
            views.relationship_action,
            {"action": action},
            name=action,
        )
        for action in views.ACTIONS
    ],
    path("settings/blocked", views.blocked_and_muted, name="blocked"),
]
