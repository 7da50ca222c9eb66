from django.urls import path

from kiln.shield import views
from kiln.shield.conf import DEFAULTS

app_name = "shield"


def _honeypot_route() -> str:
    from django.conf import settings

    configured = getattr(settings, "KILN_HONEYPOT_PATH", DEFAULTS["KILN_HONEYPOT_PATH"])
    return configured.lstrip("/")


urlpatterns = [
    path("settings/protection", views.protection_settings, name="settings"),
    path("protection", views.protection_page, name="protection"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("ai.txt", views.ai_txt, name="ai_txt"),
    path(".well-known/tdmrep.json", views.tdmrep_json, name="tdmrep"),
    path(".well-known/tdm-policy.json", views.tdm_policy, name="tdm_policy"),
    path(_honeypot_route(), views.honeypot, name="honeypot"),
]
