from django.urls import path, re_path

from kiln.media import views

app_name = "media"

urlpatterns = [
    re_path(
        r"^media/r/(?P<token>[0-9]{1,12}-[0-9a-f]{20})/(?P<name>[0-9a-f]{40}\.[a-z]{3,4})$",
        views.rendition_serve,
        name="rendition",
    ),
    path("media/upload", views.upload, name="upload"),
    path("media/<id:asset_id>/status", views.status, name="status"),
    path("media/<id:asset_id>/retry", views.retry, name="retry"),
]
