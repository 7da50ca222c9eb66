import sys

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kiln.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from kiln.core import converters

        converters.register()  # before any urls.py is imported: `<id:...>` in every app
        # The background worker takes SQLite's WAL checkpoints off the web requests
        # (kiln/core/checkpoints.py), as kiln.media's sweeper runs inside it too.
        if len(sys.argv) > 1 and sys.argv[1] == "db_worker":
            from kiln.core.checkpoints import start_checkpointer
            from kiln.core.collector import freeze_startup_objects

            start_checkpointer()
            # Django and every model are loaded by now (kiln/core/collector.py says why).
            freeze_startup_objects()
