from django.conf import settings
from django.urls import path, re_path
from django.views.generic import RedirectView

from kiln.core import views

app_name = "core"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # Browsers and bots ask for /favicon.ico whatever the page says; answer cheaply.
    path(
        "favicon.ico", RedirectView.as_view(url=f"{settings.STATIC_URL}favicon.svg", permanent=True)
    ),
    # Only the two profile image folders: kiln.media's own "media/..." routes come after.
    re_path(
        r"^media/(?P<kind>avatars|banners)/(?P<name>[^/]+)$",
        views.profile_image,
        name="profile_image",
    ),
]
