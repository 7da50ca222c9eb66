from django.urls import path

from . import process_views, views

app_name = "provenance"

urlpatterns = [
    path("provenance/assets/<int:asset_id>", views.screening_detail, name="screening"),
    path("provenance/assets/<int:asset_id>/appeal", views.appeal_submit, name="appeal"),
    path(
        "provenance/assets/<int:asset_id>/process",
        process_views.process_attach,
        name="process_attach",
    ),
    path("provenance/matches", views.matches_list, name="matches"),
    path("provenance/matches/<int:match_id>", views.match_detail, name="match"),
    path("provenance/matches/<int:match_id>/answer", views.match_answer, name="match_answer"),
    path("provenance/review", views.review_queue, name="review"),
    path("provenance/review/appeals/<int:appeal_id>", views.appeal_decide, name="appeal_decide"),
    path(
        "provenance/review/takedowns/<int:takedown_id>",
        views.takedown_decide,
        name="takedown_decide",
    ),
    path("api/registry/v1/lookup", views.registry_lookup, name="registry_lookup"),
    path("api/registry/v1/openapi.json", views.registry_openapi, name="registry_openapi"),
]
