from django.urls import path

from . import views, views_admin, views_staff

app_name = "moderation"

urlpatterns = [
    path("about/rules", views.rules_page, name="rules"),
    path("about/transparency", views.transparency_page, name="transparency"),
    path("report", views.report_form, name="report"),
    path("reports", views.my_reports, name="my_reports"),
    path("settings/account-status", views.account_status, name="account_status"),
    path(
        "settings/account-status/<id:action_id>/appeal",
        views.appeal_submit,
        name="appeal_submit",
    ),
    path("appeal/<str:token>", views.appeal_by_link, name="appeal_link"),
    path("moderation", views_staff.queue, name="queue"),
    path("moderation/cases/<id:case_id>", views_staff.case_detail, name="case"),
    path("moderation/cases/<id:case_id>/assign", views_staff.case_assign, name="case_assign"),
    path("moderation/cases/<id:case_id>/act", views_staff.case_act, name="case_act"),
    path("moderation/appeals/<id:appeal_id>", views_staff.appeal_decide, name="appeal_decide"),
    path(
        "moderation/provenance/appeals/<id:appeal_id>",
        views_staff.provenance_appeal_decide,
        name="provenance_appeal_decide",
    ),
    path(
        "moderation/provenance/takedowns/<id:takedown_id>",
        views_staff.provenance_takedown_decide,
        name="provenance_takedown_decide",
    ),
    path("moderation/holds", views_staff.legal_holds, name="holds"),
    path("moderation/holds/<id:hold_id>/lift", views_staff.legal_hold_lift, name="hold_lift"),
    path("moderation/audit", views_staff.audit_log, name="audit"),
    path("moderation/admin", views_admin.admin_page, name="admin"),
    path("moderation/admin/rules", views_admin.rule_save, name="rule_save"),
    path("moderation/admin/roles", views_admin.role_set, name="role_set"),
    path("moderation/admin/blocks", views_admin.block_add, name="block_add"),
    path(
        "moderation/admin/blocks/<id:block_id>/delete",
        views_admin.block_remove,
        name="block_remove",
    ),
]
