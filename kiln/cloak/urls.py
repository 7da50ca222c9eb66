from django.urls import path

from kiln.cloak import views

app_name = "cloak"

urlpatterns = [
    path("cloak/", views.index, name="index"),
    path("cloak/default", views.preference, name="preference"),
    path("cloak/asset/<id:asset_id>/start", views.start, name="start"),
    path("cloak/<id:job_id>", views.job, name="job"),
    path("cloak/<id:job_id>/progress", views.progress, name="progress"),
    path("cloak/<id:job_id>/cancel", views.cancel, name="cancel"),
    path("cloak/<id:job_id>/intensity", views.change_intensity, name="intensity"),
    path("cloak/<id:job_id>/remove", views.remove, name="remove"),
    path("cloak/<id:job_id>/preview/<segment:kind>", views.preview, name="preview"),
]
