import logging
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods

from kiln.shield import services, signals_text
from kiln.shield.client import client_key
from kiln.shield.conf import shield_setting
from kiln.shield.crawlers import ai_crawler_tokens
from kiln.shield.forms import WatermarkForm
from kiln.shield.models import RefusalTally, WatermarkPreference
from kiln.shield.refusals import refusal_record

logger = logging.getLogger("kiln.shield")
CLOAK_SECTION_TEMPLATE = "cloak/_limits.html"


def _existing_template(name: str) -> str | None:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return None
    return name


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


@require_GET
@cache_control(public=True, max_age=3600)
def robots_txt(request):
    return HttpResponse(signals_text.robots_txt(), content_type="text/plain; charset=utf-8")


@require_GET
@cache_control(public=True, max_age=3600)
def ai_txt(request):
    return HttpResponse(signals_text.ai_txt(request), content_type="text/plain; charset=utf-8")


@require_GET
@cache_control(public=True, max_age=3600)
def tdmrep_json(request):
    return JsonResponse(signals_text.tdmrep_json(request), safe=False)


@require_GET
@cache_control(public=True, max_age=3600)
def tdm_policy(request):
    return JsonResponse(signals_text.tdm_policy(request), content_type="application/ld+json")


@require_GET
def protection_page(request):
    return render(
        request,
        "shield/protection.html",
        {
            "rate_pages": shield_setting("KILN_RATE_PAGES"),
            "rate_renditions": shield_setting("KILN_RATE_RENDITIONS"),
            "window": shield_setting("KILN_RATE_WINDOW_SECONDS"),
            "ban_minutes": round(shield_setting("KILN_HONEYPOT_BAN_SECONDS") / 60),
            "crawler_count": len(ai_crawler_tokens()),
            # The cloak app adds its own section ("what cloaking can and cannot do") here.
            "cloak_section_template": _existing_template(CLOAK_SECTION_TEMPLATE),
        },
    )


def trap_followed_from_here(request) -> bool:
    """Whether the trap link was followed as a navigation from Kiln's own pages, or typed in.

    `<img src=".../archive/originals/">` on another site makes every visitor's browser fetch
    the trap; that must ban nobody. Browsers say where a request comes from (Sec-Fetch-Site)
    and what it is for (Sec-Fetch-Mode); clients that send neither are judged by Referer."""
    site = request.META.get("HTTP_SEC_FETCH_SITE")
    mode = request.META.get("HTTP_SEC_FETCH_MODE")
    if site is not None or mode is not None:
        return site in (None, "same-origin", "none") and mode in (None, "navigate")
    referer = request.META.get("HTTP_REFERER", "")
    if not referer:
        return True  # typed in, or a scraper that sends no Referer
    try:
        return urlsplit(referer).netloc.lower() == request.get_host().lower()
    except ValueError:  # a malformed Referer, or a host Django refuses
        return False


def honeypot(request):
    """A link only scrapers follow: ban this client (address + user agent) from images.

    Never bans a signed-in account (they are rate-limited like everyone else), nor a request
    another site caused (see trap_followed_from_here)."""
    ip = getattr(request, "shield_client_ip", "") or request.META.get("REMOTE_ADDR", "")
    user_agent = request.META.get("HTTP_USER_AGENT", "") or ""
    seconds = shield_setting("KILN_HONEYPOT_BAN_SECONDS")
    bans = seconds > 0 and not request.user.is_authenticated and trap_followed_from_here(request)
    if bans:
        services.honeypot_ban_create(
            client_key=client_key(ip), user_agent=user_agent, seconds=seconds
        )
    refusal_record(
        reason=RefusalTally.Reason.HONEYPOT_HIT if bans else RefusalTally.Reason.HONEYPOT_IGNORED,
        ip=ip,
        user_agent=user_agent,
        path=request.path,
    )
    text = "403 Forbidden.\n\nThis link is hidden from people and disallowed in /robots.txt; only "
    text += "scrapers follow it."
    text += " Images are refused to this client for a while.\n" if bans else "\n"
    response = HttpResponse(text, status=403, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response
