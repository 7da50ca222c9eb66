from django.urls import path

from kiln.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("jobs", views.placeholder, {"title": "Jobs"}, name="jobs"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "media/<str:kind>/<str:name>",
        views.profile_image,
        name="profile_image",
        kwargs=None,
    ),
]
