from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "kiln.notifications"
    label = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kiln.notifications import subscribers

        subscribers.subscribe()
