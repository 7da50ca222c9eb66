from django.urls import path

from kiln.cloak import views

app_name = "cloak"

urlpatterns = [
    path("cloak/", views.index, name="index"),
    path("cloak/default", views.preference, name="preference"),
    path("cloak/asset/<int:asset_id>/start", views.start, name="start"),
    path("cloak/<int:job_id>", views.job, name="job"),
    path("cloak/<int:job_id>/progress", views.progress, name="progress"),
    path("cloak/<int:job_id>/cancel", views.cancel, name="cancel"),
    path("cloak/<int:job_id>/intensity", views.change_intensity, name="intensity"),
    path("cloak/<int:job_id>/remove", views.remove, name="remove"),
    path("cloak/<int:job_id>/preview/<str:kind>", views.preview, name="preview"),
]
