from django.urls import path

from kiln.accounts import views

app_name = "accounts"

urlpatterns = [
    path("settings/profile", views.profile_edit, name="profile_edit"),
    path("settings/privacy", views.privacy_edit, name="privacy"),
]
