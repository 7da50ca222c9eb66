from django.contrib import admin

from kiln.shield.models import CrawlerToken, RefusalTally, WatermarkPreference


@admin.register(CrawlerToken)
class CrawlerTokenAdmin(admin.ModelAdmin):
    list_display = ["token", "note", "created_at"]
    search_fields = ["token"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        from kiln.shield.crawlers import crawler_matcher_reset

        crawler_matcher_reset()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        from kiln.shield.crawlers import crawler_matcher_reset

        crawler_matcher_reset()


@admin.register(WatermarkPreference)
class WatermarkPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "enabled", "corner", "opacity", "updated_at"]
    list_filter = ["enabled", "corner"]
    raw_id_fields = ["user"]


@admin.register(RefusalTally)
class RefusalTallyAdmin(admin.ModelAdmin):
    """Counts per day and reason; the list page also shows totals per reason."""

    list_display = ["day", "reason", "count"]
    list_filter = ["reason", "day"]
    date_hierarchy = "day"
    change_list_template = "shield/admin/refusal_tally_changelist.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        from django.db.models import Sum

        from kiln.shield.refusals import refusal_tally_flush

        refusal_tally_flush()  # show this process's unflushed refusals too
        totals = (
            RefusalTally.objects.values("reason").annotate(total=Sum("count")).order_by("reason")
        )
        labels = dict(RefusalTally.Reason.choices)
        extra_context = {
            **(extra_context or {}),
            "reason_totals": [(labels.get(t["reason"], t["reason"]), t["total"]) for t in totals],
        }
        return super().changelist_view(request, extra_context=extra_context)
