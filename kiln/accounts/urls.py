from django.urls import path

from kiln.accounts import views

app_name = "accounts"

urlpatterns = [
    path("settings/profile", views.profile_edit, name="profile_edit"),
    path("settings/privacy", views.privacy_edit, name="privacy"),
    path("@<str:username>", views.profile, name="profile"),
    path("@<str:username>/posts", views.profile, {"tab": "posts"}, name="profile_posts"),
    path("@<str:username>/likes", views.profile, {"tab": "likes"}, name="profile_likes"),
    path(
        "@<str:username>/commissions",
        views.profile,
        {"tab": "commissions"},
        name="profile_commissions",
    ),
]
