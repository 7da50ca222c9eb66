from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "kiln.site"
    label = "kiln_site"
    default_auto_field = "django.db.models.BigAutoField"
