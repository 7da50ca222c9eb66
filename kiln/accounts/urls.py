from django.urls import path

from kiln.accounts import views

app_name = "accounts"

urlpatterns = [
    path("settings/profile", views.profile_edit, name="profile_edit"),
    path("settings/privacy", views.privacy_edit, name="privacy"),
    path("@<username:username>", views.profile, name="profile"),
    path("@<username:username>/posts", views.profile, {"tab": "posts"}, name="profile_posts"),
    path("@<username:username>/likes", views.profile, {"tab": "likes"}, name="profile_likes"),
]
