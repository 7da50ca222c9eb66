from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kiln.api"
    label = "api"
    verbose_name = "Mastodon client API"

    def ready(self):
        from kiln.api import stream_feed

        stream_feed.subscribe()
