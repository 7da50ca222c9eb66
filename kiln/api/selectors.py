"""Reads of the API app itself."""

from django.db.models import Count, Max, Min
from django.utils import timezone
from oauth2_provider.models import get_access_token_model

from kiln.api.models import ClientApp


def authorised_apps(*, user) -> list[dict]:
    """The apps holding a live token for this user, with when access was first given."""
    rows = (
        get_access_token_model()
        .objects.filter(user=user, expires__gt=timezone.now())
        .values("application_id")
        .annotate(tokens=Count("id"), since=Min("created"), last=Max("created"))
    )
    by_app = {row["application_id"]: row for row in rows}
    apps = ClientApp.objects.filter(pk__in=by_app).order_by("name")
    return [
        {
            "app": app,
            "since": by_app[app.pk]["since"],
            "scopes": sorted({s for t in user_tokens(user=user, app=app) for s in t.scope.split()}),
        }
        for app in apps
    ]


def user_tokens(*, user, app):
    return get_access_token_model().objects.filter(
        user=user, application=app, expires__gt=timezone.now()
    )
