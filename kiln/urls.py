from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from kiln.accounts import urls as accounts_urls
from kiln.api import urls as api_urls
from kiln.core import urls as core_urls
from kiln.portfolio import urls as portfolio_urls
from kiln.site import urls as site_urls

# Each app owns its URLs; most are mounted at the root so that paths read naturally
# (/@name, /@name/projects/<id>, /discover, /tags/<tag>, /robots.txt).
urlpatterns = [
    # Django tries patterns in order and every include is walked in full, so the hottest routes
    # come first: "/" used to be the 90th pattern tried (about 45 us a request). No two apps'
    # patterns overlap (tests/core/test_urls.py checks every named route still resolves).
    # The composed pages (kiln.site) keep their historic names in core's and accounts' spaces.
    path("", include((site_urls.home_patterns + core_urls.urlpatterns, "core"))),
    path("", include("kiln.timelines.urls")),
    # The Mastodon client API, behind one prefix test for every other page: its routes (about
    # 70) were the last tried, a walk that cost an API request more than its own queries.
    path(api_urls.API_PREFIX, include(api_urls.api_patterns)),
    path("", include((accounts_urls.urlpatterns + site_urls.profile_patterns, "accounts"))),
    path("", include("kiln.posts.urls")),
    path("", include("kiln.social.urls")),
    path("", include("kiln.notifications.urls")),
    path("", include((site_urls.project_patterns + portfolio_urls.urlpatterns, "portfolio"))),
    path("", include((site_urls.card_patterns, "site"))),
    path("", include("kiln.media.urls")),
    path("", include("kiln.shield.urls")),
    path("", include("kiln.cloak.urls")),
    path("", include("kiln.provenance.urls")),
    path("", include("kiln.messages.urls")),
    path("", include("kiln.hiring.urls")),
    path("", include("kiln.moderation.urls")),
    path("", include("kiln.search.urls")),
    path("", include("kiln.api.urls")),
    path("", include("kiln.transfer.urls")),
    path("", include("kiln.insights.urls")),
    path("accounts/", include("allauth.urls")),
    path(f"{settings.KILN_ADMIN_PATH}/", admin.site.urls),
]

handler400 = "kiln.core.errors.bad_request"
handler403 = "kiln.core.errors.permission_denied"
handler404 = "kiln.core.errors.page_not_found"
handler500 = "kiln.core.errors.server_error"
