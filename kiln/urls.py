from django.conf import settings
from django.contrib import admin
from django.urls import include, path

# Each app owns its URLs; most are mounted at the root so that paths read naturally
# (/@name, /@name/projects/<id>, /discover, /tags/<tag>, /robots.txt).
urlpatterns = [
    path(f"{settings.KILN_ADMIN_PATH}/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("kiln.shield.urls")),
    path("", include("kiln.media.urls")),
    path("", include("kiln.portfolio.urls")),
    path("", include("kiln.posts.urls")),
    path("", include("kiln.social.urls")),
    path("", include("kiln.timelines.urls")),
    path("", include("kiln.notifications.urls")),
    path("", include("kiln.cloak.urls")),
    path("", include("kiln.provenance.urls")),
    path("", include("kiln.accounts.urls")),
    path("", include("kiln.core.urls")),
]

handler400 = "kiln.core.errors.bad_request"
handler403 = "kiln.core.errors.permission_denied"
handler404 = "kiln.core.errors.page_not_found"
handler500 = "kiln.core.errors.server_error"
