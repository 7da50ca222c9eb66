from django.urls import path

from kiln.notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications", views.notification_list, name="list"),
    path("notifications/read", views.mark_all_read, name="mark_all_read"),
    path("notifications/settings", views.preferences, name="preferences"),
]
