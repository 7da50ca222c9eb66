"""Kiln's CSP middleware sends exactly django-csp's header, built once per setting."""

import pytest
from csp.constants import NONCE, SELF
from csp.decorators import csp_exempt, csp_update
from csp.utils import build_policy
from django.http import HttpResponse
from django.test import RequestFactory

from kiln.core.csp import KilnCSPMiddleware


def respond(view, path="/"):
    request = RequestFactory().get(path)
    middleware = KilnCSPMiddleware(view)
    return middleware(request)


def plain(request):
    return HttpResponse("ok")


def test_header_is_the_one_django_csp_builds():
    response = respond(plain)
    assert response["Content-Security-Policy"] == build_policy()
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "Content-Security-Policy-Report-Only" not in response


def test_a_settings_change_reaches_the_header(settings):
    assert "script-src 'self'" in respond(plain)["Content-Security-Policy"]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert respond(plain)["Content-Security-Policy"] == "default-src 'none'"
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"img-src": ["'self'"]}}
    report_only = respond(plain)["Content-Security-Policy-Report-Only"]
    assert report_only == build_policy(report_only=True)
    assert "img-src 'self'" in report_only


def test_excluded_prefixes_and_exempt_views_get_no_header(settings):
    settings.CONTENT_SECURITY_POLICY = {
        **settings.CONTENT_SECURITY_POLICY,
        "EXCLUDE_URL_PREFIXES": ["/raw/"],
    }
    assert "Content-Security-Policy" not in respond(plain, "/raw/x")
    assert "Content-Security-Policy" not in respond(csp_exempt()(plain))


@pytest.mark.parametrize("debug", [False, True])
def test_a_view_with_its_own_policy_takes_django_csps_path(settings, debug):
    settings.DEBUG = debug
    response = respond(csp_update({"img-src": ["https://example.org"]})(plain))
    assert "https://example.org" in response["Content-Security-Policy"]
    assert "https://example.org" not in respond(plain)["Content-Security-Policy"]


def test_a_nonce_asked_for_during_the_view_is_in_the_header(settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": [SELF, NONCE]}}

    def with_nonce(request):
        return HttpResponse(str(request.csp_nonce))

    response = respond(with_nonce)
    assert f"'nonce-{response.content.decode()}'" in response["Content-Security-Policy"]
