from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kiln.api"
    label = "api"
    verbose_name = "Mastodon client API"
