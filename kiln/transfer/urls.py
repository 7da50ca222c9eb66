from django.urls import path

from kiln.transfer import views

app_name = "transfer"

urlpatterns = [
    path("settings/data", views.your_data, name="your_data"),
    path("settings/data/deactivate", views.deactivate, name="deactivate"),
    path("settings/data/delete", views.delete, name="delete"),
    path("settings/data/export", views.export_request, name="export_request"),
    path("settings/data/export/<int:export_id>", views.export_download, name="export_download"),
    path("account/deletion", views.deletion_pending, name="deletion_pending"),
]
