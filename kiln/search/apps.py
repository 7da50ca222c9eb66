from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "kiln.search"
    label = "search"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kiln.search import subscribers

        subscribers.subscribe_all()
