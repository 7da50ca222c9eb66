from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kiln.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from kiln.core import converters

        converters.register()  # before any urls.py is imported: `<id:...>` in every app
