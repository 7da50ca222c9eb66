from django.apps import AppConfig


class ShieldConfig(AppConfig):
    name = "kiln.shield"
    label = "shield"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kiln.media import events as media_events
        from kiln.shield.watermark import watermark_transform

        media_events.rendition_watermark.subscribe(watermark_transform)
