from django.apps import AppConfig


class ShieldConfig(AppConfig):
    name = "kiln.shield"
    label = "shield"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kiln.accounts.events import profile_image_saving
        from kiln.media import events as media_events
        from kiln.shield.profile_images import profile_image_mark
        from kiln.shield.watermark import watermark_transform

        media_events.rendition_watermark.subscribe(watermark_transform)
        profile_image_saving.subscribe(profile_image_mark)
