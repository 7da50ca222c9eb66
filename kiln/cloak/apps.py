from django.apps import AppConfig


class CloakConfig(AppConfig):
    name = "kiln.cloak"
    label = "cloak"
    default_auto_field = "django.db.models.BigAutoField"
