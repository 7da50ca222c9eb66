from django.apps import AppConfig


class ShieldConfig(AppConfig):
    name = "kiln.shield"
    label = "shield"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from kiln.accounts.events import profile_image_saving
        from kiln.shield.profile_images import profile_image_mark

        profile_image_saving.subscribe(profile_image_mark)
