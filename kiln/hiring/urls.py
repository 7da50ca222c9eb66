from django.urls import path

from kiln.hiring import views
from kiln.hiring import views_commissions as commissions
from kiln.hiring.feeds import JobsFeed

app_name = "hiring"

urlpatterns = [
    path("jobs", views.board, name="board"),
    path("jobs/feed.atom", JobsFeed(), name="feed"),
    path("jobs/new", views.listing_new, name="listing_new"),
    path("jobs/posted", views.posted, name="posted"),
    path("jobs/applied", views.applied, name="applied"),
    path("jobs/<id:listing_id>", views.listing_detail, name="listing"),
    path("jobs/<id:listing_id>/edit", views.listing_edit, name="listing_edit"),
    path("jobs/<id:listing_id>/publish", views.listing_publish, name="listing_publish"),
    path("jobs/<id:listing_id>/close", views.listing_close, name="listing_close"),
    path("jobs/<id:listing_id>/feature", views.listing_feature, name="listing_feature"),
    path("jobs/<id:listing_id>/remove", views.listing_remove, name="listing_remove"),
    path("jobs/<id:listing_id>/apply", views.apply, name="apply"),
    path(
        "jobs/<id:listing_id>/applications",
        views.listing_applications,
        name="listing_applications",
    ),
    path("jobs/applications/<id:application_id>", views.application_detail, name="application"),
    path(
        "jobs/applications/<id:application_id>/state",
        views.application_state,
        name="application_state",
    ),
    path(
        "jobs/applications/<id:application_id>/message",
        views.application_message,
        name="application_message",
    ),
    path("commissions", commissions.commissions, name="commissions"),
    path("commissions/sheet", commissions.sheet_edit, name="sheet"),
    path("commissions/tiers/<id:tier_id>/delete", commissions.tier_delete, name="tier_delete"),
    path("commissions/request/<username:username>", commissions.request_new, name="request_new"),
    path("commissions/<id:request_id>", commissions.commission_detail, name="commission"),
    path("commissions/<id:request_id>/deliver", commissions.commission_deliver, name="deliver"),
    path(
        "commissions/<id:request_id>/message",
        commissions.commission_message,
        name="commission_message",
    ),
    path(
        "commissions/<id:request_id>/references/<id:asset_id>",
        commissions.reference_image,
        name="reference",
    ),
    path(
        "commissions/<id:request_id>/files/<id:delivery_id>",
        commissions.delivery_download,
        name="delivery",
    ),
    path(
        "commissions/<id:request_id>/<segment:action>",
        commissions.commission_action,
        name="commission_action",
    ),
]
