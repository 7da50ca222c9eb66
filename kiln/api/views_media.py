"""Media: uploads go through Kiln's pipeline (render, screen, cloak) like the web's.
POST answers 202 while that runs, GET 206 until the renditions exist; an image the screening
holds is a clear error the client shows, never attached silently."""

from __future__ import annotations

from kiln.api.entities import absolute_media, kiln_media_extension
from kiln.api.http import ApiError, Params, api, json_response, parse_id
from kiln.api.models import MediaDescription
from kiln.media.models import MediaAsset
from kiln.media.services import media_asset_create, media_asset_set_focus
from kiln.posts.services import MAX_ALT_TEXT
from kiln.posts.status_media import asset_attachment
from kiln.provenance.selectors import held_asset_ids

HELD = (
    "This image is held for review (it may be AI-generated or someone else's work); "
    "it can't be posted until a moderator clears it"
)


def _focus(params: Params) -> tuple[float, float] | None:
    raw = params.str("focus", max_length=40)
    if not raw:
        return None
    try:
        x, y = (float(part) for part in raw.split(","))
    except ValueError:
        raise ApiError(422, "focus must be two numbers: x,y") from None
    if not (-1 <= x <= 1 and -1 <= y <= 1):  # checked before anything is stored
        raise ApiError(422, "focus coordinates must be between -1 and 1")
    return x, y


def _describe(asset: MediaAsset, params: Params) -> str:
    description = params.get("description")
    row = MediaDescription.objects.filter(asset=asset).first()
    if description is None:
        return row.description if row else ""
    description = params.str("description", max_length=MAX_ALT_TEXT).strip()
    MediaDescription.objects.update_or_create(asset=asset, defaults={"description": description})
    return description


def _answer(request, asset: MediaAsset, description: str, *, pending_status: int):
    if held_asset_ids(asset_ids=[asset.pk]):
        raise ApiError(422, HELD)
    if asset.state == MediaAsset.State.FAILED:
        raise ApiError(422, asset.failure_reason or "This image could not be processed")
    data = absolute_media(request, asset_attachment(asset, alt_text=description))
    data["kiln"] = kiln_media_extension(cloaked=bool(asset.master_key))
    return json_response(data, status=200 if asset.is_ready else pending_status)


@api("write:media", methods=("POST",))
def media_create(request):
    params = Params(request)
    upload = params.files.get("file") if params.files else None
    if upload is None:
        raise ApiError(422, "Choose an image to upload (the file parameter)")
    focus = _focus(params)
    description = params.str("description", max_length=MAX_ALT_TEXT).strip()
    asset = media_asset_create(owner=request.api_user, upload=upload)
    if description:
        MediaDescription.objects.create(asset=asset, description=description)
    if focus is not None:
        media_asset_set_focus(asset=asset, x=focus[0], y=focus[1])
    asset.refresh_from_db()
    return _answer(request, asset, description, pending_status=202)


def _own_asset(request, media_id) -> MediaAsset:
    asset = MediaAsset.objects.filter(pk=parse_id(media_id), owner=request.api_user).first()
    if asset is None:
        raise ApiError(404, "Record not found")
    return asset


@api("write:media", methods=("GET", "PUT"))
def media_detail(request, media_id):
    asset = _own_asset(request, media_id)
    params = Params(request)
    if request.method == "PUT":
        focus = _focus(params)
        description = _describe(asset, params)
        if focus is not None:
            media_asset_set_focus(asset=asset, x=focus[0], y=focus[1])
        return _answer(request, asset, description, pending_status=200)
    return _answer(request, asset, _describe(asset, params), pending_status=206)
