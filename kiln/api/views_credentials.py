"""The signed-in account: verify_credentials and update_credentials."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from kiln.accounts.images import normalise_profile_image
from kiln.accounts.services import MAX_PROFILE_LINKS, profile_ensure, profile_images_update
from kiln.accounts.services import profile_update as accounts_profile_update
from kiln.api.entities import credential_account, forget_account
from kiln.api.http import ApiError, Params, api, json_response


@api("read:accounts")
def verify_credentials(request):
    return json_response(credential_account(request, request.api_user))


def _links(params: Params, current: list[str]) -> list[str]:
    """Mastodon's profile fields (fields_attributes[i][name|value]) as Kiln's links: only
    web addresses can be shown, so a value that is not one is refused, not dropped."""
    rows: dict[str, dict] = {}
    for key, values in params.data.items():
        if key.startswith("fields_attributes[") and key.count("[") == 2:
            index, field = key[len("fields_attributes[") :].rstrip("]").split("][")
            rows.setdefault(index, {})[field] = values[-1]
    if "fields_attributes" in params.data:  # JSON: a list or {index: {...}}
        raw = params.data["fields_attributes"][0]
        items = raw.values() if isinstance(raw, dict) else raw if isinstance(raw, list) else []
        rows = {str(i): row for i, row in enumerate(items) if isinstance(row, dict)}
    if not rows:
        return current
    links = []
    for _, row in sorted(rows.items(), key=lambda kv: int(kv[0]) if kv[0].isdigit() else 0):
        value = str(row.get("value") or "").strip()
        if not value:
            continue
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            raise ApiError(
                422, f"Profile fields on Kiln are links: {value[:60]!r} is not a web address"
            ) from None
        links.append(value)
    if len(links) > MAX_PROFILE_LINKS:
        raise ApiError(422, f"A profile can show at most {MAX_PROFILE_LINKS} links")
    return links


@api("write:accounts", methods=("PATCH", "POST", "PUT"))
def update_credentials(request):
    user = request.api_user
    params = Params(request)
    profile = profile_ensure(user=user)
    display_name = params.str("display_name", profile.display_name, max_length=60)
    note = params.str("note", profile.bio, max_length=500)
    links = _links(params, [link.url for link in profile.links.all()])
    # Images are checked and re-encoded before anything is written.
    images = {}
    for field, kind in (("avatar", "avatar"), ("header", "banner")):
        upload = params.files.get(field)
        if upload is not None:
            images[kind] = normalise_profile_image(upload, kind=kind)
    with transaction.atomic():
        accounts_profile_update(
            user=user,
            display_name=display_name,
            bio=note,
            pronouns=profile.pronouns,
            location=profile.location,
            fields_of_work=list(profile.fields_of_work),
            status=profile.status,
            links=links,
        )
        if images:
            profile_images_update(
                user=user, avatar=images.get("avatar"), banner=images.get("banner")
            )
    user.refresh_from_db()
    forget_account(request, user.pk)  # statuses show the new name and avatar at once
    return json_response(credential_account(request, user))
