from django.urls import path
from django.views.generic import RedirectView

from . import process_views, views

app_name = "provenance"

urlpatterns = [
    path("provenance/assets/<id:asset_id>", views.screening_detail, name="screening"),
    path("provenance/assets/<id:asset_id>/appeal", views.appeal_submit, name="appeal"),
    path(
        "provenance/assets/<id:asset_id>/process",
        process_views.process_attach,
        name="process_attach",
    ),
    path("provenance/matches", views.matches_list, name="matches"),
    path("provenance/matches/<id:match_id>", views.match_detail, name="match"),
    path("provenance/matches/<id:match_id>/answer", views.match_answer, name="match_answer"),
    # Staff review moved into the one moderation queue.
    path("provenance/review", RedirectView.as_view(url="/moderation"), name="review"),
    path("api/registry/v1/lookup", views.registry_lookup, name="registry_lookup"),
    path("api/registry/v1/openapi.json", views.registry_openapi, name="registry_openapi"),
]
