"""Run inside the topology's environment (`python -m tests.deploy.actions <command>`): the setup
and checks that need Kiln's own database, printed as one JSON line for the test."""

import json
import sys

import django


def user() -> dict:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import get_user_model

    model = get_user_model()
    account, _ = model.objects.get_or_create(
        username="topo_smoke", defaults={"email": "topo_smoke@example.com"}
    )
    account.set_password("correct horse battery staple")
    account.save()
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session["_auth_user_id"] = str(account.pk)
    session["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[0]
    session["_auth_user_hash"] = account.get_session_auth_hash()
    session.create()
    return {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "session_key": session.session_key,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
    }


def renditions(asset_id: str) -> dict:
    from kiln.media.delivery import rendition_url
    from kiln.media.models import MediaAsset

    asset = MediaAsset.objects.get(pk=int(asset_id))
    return {
        "state": asset.state,
        "renditions": [
            {"url": rendition_url(r), "key": r.key, "bytes": r.bytes, "format": r.format}
            for r in asset.renditions.all()
        ],
    }


def asset_count() -> dict:
    from kiln.media.models import MediaAsset

    return {"count": MediaAsset.objects.count()}


if __name__ == "__main__":
    django.setup()
    command, *args = sys.argv[1:]
    print(
        json.dumps(
            {"user": user, "renditions": renditions, "asset_count": asset_count}[command](*args)
        )
    )
