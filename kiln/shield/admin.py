from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from kiln.shield.models import CrawlerToken, HoneypotBan, RefusalTally, WatermarkPreference


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


class ActiveBanFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", "Active"), ("ended", "Expired or lifted")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "active":
            return queryset.filter(lifted_at__isnull=True, expires_at__gt=now)
        if self.value() == "ended":
            return queryset.exclude(lifted_at__isnull=True, expires_at__gt=now)
        return queryset


@admin.register(HoneypotBan)
class HoneypotBanAdmin(admin.ModelAdmin):
    """Clients the honeypot banned from images; each active one has a Lift button."""

    list_display = ["client", "user_agent", "created_at", "expires_at", "state", "lift_button"]
    list_filter = [ActiveBanFilter]
    search_fields = ["client", "user_agent"]
    readonly_fields = [f.name for f in HoneypotBan._meta.fields]

    def has_add_permission(self, request):
        return False

    def get_urls(self):
        lift = self.admin_site.admin_view(require_POST(self.lift_view))
        return [path("<int:pk>/lift/", lift, name="shield_honeypotban_lift"), *super().get_urls()]

    @admin.display(description="state")
    def state(self, ban):
        if ban.lifted_at is not None:
            return "lifted"
        return "active" if ban.expires_at > timezone.now() else "expired"

    @admin.display(description="")
    def lift_button(self, ban):
        if self.state(ban) != "active":
            return ""
        # Submits the change list's own form (it carries the CSRF token) to the lift URL.
        url = reverse("admin:shield_honeypotban_lift", args=[ban.pk])
        return format_html(
            '<button type="submit" class="button" formaction="{}" formmethod="post">Lift</button>',
            url,
        )

    def lift_view(self, request, pk):
        from kiln.shield.services import honeypot_ban_lift

        if not self.has_change_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        ban = get_object_or_404(HoneypotBan, pk=pk)
        honeypot_ban_lift(ban=ban, by=request.user)
        messages.success(request, f"Ban on {ban.client} lifted: its images are back now.")
        return redirect("admin:shield_honeypotban_changelist")
