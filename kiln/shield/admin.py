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
