from django.urls import path

from kiln.portfolio import views

app_name = "portfolio"

urlpatterns = [
    path("@<username:username>/portfolio/page", views.profile_tab_page, name="tab_page"),
    path("portfolio/new", views.project_new, name="new"),
    path("portfolio/projects/<id:project_id>/edit", views.project_edit, name="edit"),
    path("portfolio/projects/<id:project_id>/delete", views.project_delete, name="delete"),
    path("portfolio/projects/<id:project_id>/move", views.project_move, name="move"),
    path("portfolio/projects/<id:project_id>/pin", views.project_pin, name="pin"),
    path("portfolio/reorder", views.portfolio_reorder, name="reorder"),
    path("portfolio/uploads/<id:asset_id>/card", views.asset_card, name="asset_card"),
    path("portfolio/uploads/<id:asset_id>/state", views.asset_state, name="asset_state"),
    path("portfolio/uploads/<id:asset_id>/retry", views.asset_retry, name="asset_retry"),
    *[
        path(
            f"portfolio/{segment}/<segment:slug>",
            views.label_listing,
            {"segment": segment},
            name=segment,
        )
        for segment in views.LISTINGS
    ],
]
