from django.apps import AppConfig


class TimelinesConfig(AppConfig):
    name = "kiln.timelines"
    label = "timelines"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kiln.timelines import subscribers

        subscribers.subscribe()
