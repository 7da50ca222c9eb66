from django.urls import path

from kiln.shield import views

app_name = "shield"

urlpatterns = [
    path("settings/protection", views.protection_settings, name="settings"),
]
