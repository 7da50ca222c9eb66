from django.apps import AppConfig


class HiringConfig(AppConfig):
    name = "kiln.hiring"
    label = "hiring"
    verbose_name = "Jobs and commissions"
    default_auto_field = "django.db.models.BigAutoField"
