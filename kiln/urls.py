from django.conf import settings
from django.contrib import admin
from django.urls import include, path

# Each app owns its URLs; most are mounted at the root so that paths read naturally
# (/@name, /@name/projects/<id>, /discover, /tags/<tag>, /robots.txt).
urlpatterns = [
    # Django tries patterns in order and every include is walked in full, so the hottest routes
    # come first: "/" used to be the 90th pattern tried (about 45 us a request). No two apps'
    # patterns overlap (tests/core/test_urls.py checks every named route still resolves).
    path("", include("kiln.core.urls")),
    path("", include("kiln.timelines.urls")),
    path("", include("kiln.accounts.urls")),
    path("", include("kiln.posts.urls")),
    path("", include("kiln.social.urls")),
    path("", include("kiln.notifications.urls")),
    path("", include("kiln.portfolio.urls")),
    path("", include("kiln.media.urls")),
    path("", include("kiln.shield.urls")),
    path("", include("kiln.cloak.urls")),
    path("", include("kiln.provenance.urls")),
    path("", include("kiln.api.urls")),
    path("accounts/", include("allauth.urls")),
    path(f"{settings.KILN_ADMIN_PATH}/", admin.site.urls),
]

handler400 = "kiln.core.errors.bad_request"
handler403 = "kiln.core.errors.permission_denied"
handler404 = "kiln.core.errors.page_not_found"
handler500 = "kiln.core.errors.server_error"
