from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from kiln.shield import services
from kiln.shield.forms import WatermarkForm
from kiln.shield.models import WatermarkPreference


@login_required
@require_http_methods(["GET", "POST"])
def protection_settings(request):
    """The artist's watermark choice (the consent switches live on the privacy page)."""
    current = WatermarkPreference.objects.filter(user=request.user).first()
    current = current or WatermarkPreference(user=request.user)
    form = WatermarkForm(
        request.POST or None,
        initial={"enabled": current.enabled, "corner": current.corner, "opacity": current.opacity},
    )
    if request.method == "POST" and form.is_valid():
        services.watermark_preference_update(user=request.user, **form.cleaned_data)
        messages.success(request, "Protection settings saved. Your images are being updated.")
        return redirect("shield:settings")
    return render(
        request,
        "shield/settings.html",
        {"form": form, "profile": getattr(request.user, "profile", None)},
    )
