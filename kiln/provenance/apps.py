from django.apps import AppConfig


class ProvenanceConfig(AppConfig):
    name = "kiln.provenance"
    label = "provenance"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kiln.media import events as media_events
        from kiln.provenance.process import process_stages_delete_for
        from kiln.provenance.process_selectors import process_files_of_assets
        from kiln.provenance.selectors import held_assets_filter
        from kiln.provenance.services import screen_received_original

        media_events.original_received.subscribe(screen_received_original)
        media_events.withheld_assets.subscribe(held_assets_filter)
        media_events.asset_private_files.subscribe(process_files_of_assets)
        media_events.asset_deleting.subscribe(process_stages_delete_for)
