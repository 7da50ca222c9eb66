from django.urls import path

from kiln.transfer import views, views_import

app_name = "transfer"

urlpatterns = [
    path("settings/data", views.your_data, name="your_data"),
    path("settings/data/deactivate", views.deactivate, name="deactivate"),
    path("settings/data/delete", views.delete, name="delete"),
    path("settings/data/export", views.export_request, name="export_request"),
    path("settings/data/export/<int:export_id>", views.export_download, name="export_download"),
    path("settings/data/instagram", views_import.instagram_index, name="instagram"),
    path("settings/data/instagram/start", views_import.instagram_start, name="instagram_start"),
    path(
        "settings/data/instagram/<int:batch_id>",
        views_import.instagram_detail,
        name="instagram_detail",
    ),
    path("settings/data/instagram/<int:batch_id>/chunk", views_import.instagram_chunk),
    path("settings/data/instagram/<int:batch_id>/status", views_import.instagram_status),
    path(
        "settings/data/instagram/<int:batch_id>/media/<int:item_id>",
        views_import.instagram_media,
        name="instagram_media",
    ),
    path(
        "settings/data/instagram/<int:batch_id>/progress",
        views_import.instagram_progress,
        name="instagram_progress",
    ),
    path(
        "settings/data/instagram/<int:batch_id>/confirm",
        views_import.instagram_confirm,
        name="instagram_confirm",
    ),
    path(
        "settings/data/instagram/<int:batch_id>/discard",
        views_import.instagram_discard,
        name="instagram_discard",
    ),
    path("account/deletion", views.deletion_pending, name="deletion_pending"),
]
