from django.urls import path

from kiln.messages import views

app_name = "kiln_messages"

urlpatterns = [
    path("messages", views.inbox, name="inbox"),
    path("messages/<int:conversation_id>", views.conversation, name="conversation"),
    path("messages/<int:conversation_id>/images/<int:asset_id>", views.image, name="image"),
    path("messages/new/<str:username>", views.start, name="start"),
    path("settings/messages", views.settings_edit, name="settings"),
]
