from django.apps import AppConfig


class ShieldConfig(AppConfig):
    name = "kiln.shield"
    label = "shield"
    default_auto_field = "django.db.models.BigAutoField"
