from django.contrib import admin, messages

from kiln.cloak.models import CloakJob, CloakPreference
from kiln.cloak.selectors import cloak_unavailable_reason


@admin.register(CloakJob)
class CloakJobAdmin(admin.ModelAdmin):
    """Staff see here why the cloak is off (the server path and the command); artists never do."""

    list_display = ["id", "asset", "owner", "intensity", "state", "progress", "finished_at"]
    list_filter = ["state", "intensity"]
    raw_id_fields = ["asset", "owner"]
    readonly_fields = ["report", "preview_keys", "locked_until", "attempts"]

    def changelist_view(self, request, extra_context=None):
        reason = cloak_unavailable_reason()
        if reason:
            messages.warning(request, f"The cloak is off on this server: {reason}")
        return super().changelist_view(request, extra_context)


@admin.register(CloakPreference)
class CloakPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "cloak_by_default", "default_intensity"]
    raw_id_fields = ["user"]
