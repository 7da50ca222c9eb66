from django.urls import path

from kiln.messages import views

app_name = "kiln_messages"

urlpatterns = [
    path("messages", views.inbox, name="inbox"),
    path("messages/<id:conversation_id>", views.conversation, name="conversation"),
    path("messages/<id:conversation_id>/images/<id:asset_id>", views.image, name="image"),
    path("messages/new/<username:username>", views.start, name="start"),
    path("settings/messages", views.settings_edit, name="settings"),
]
