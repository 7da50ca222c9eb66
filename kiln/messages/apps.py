from django.apps import AppConfig


class MessagesConfig(AppConfig):
    name = "kiln.messages"
    # "messages" is django.contrib.messages' label.
    label = "kiln_messages"
    verbose_name = "Private messages"
    default_auto_field = "django.db.models.BigAutoField"
