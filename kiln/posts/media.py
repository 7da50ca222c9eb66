"""The feed's use of the media app: create assets from uploads, delete them, pick renditions."""

from django.core.files.storage import storages
from django.db import transaction

from kiln.core.hooks import optional_callable


def asset_create_from_upload(*, owner, upload):
    create = optional_callable("kiln.media.services.media_asset_create")
    if create is None:
        from django.core.exceptions import ValidationError

        raise ValidationError("Image uploads are not available yet.")
    return create(owner=owner, file=upload)


def asset_delete(*, asset) -> None:
    """Remove an asset and its files through the media app; a minimal fallback until it lands."""
    delete = optional_callable("kiln.media.services.media_asset_delete")
    if delete is not None:
        delete(asset=asset)
        return
    public_keys = list(asset.renditions.values_list("key", flat=True))
    original_key = asset.original_key
    asset.delete()

    def remove_files():
        for key in public_keys:
            storages["default"].delete(key)
        if original_key:
            storages["private"].delete(original_key)

    transaction.on_commit(remove_files)


def rendition_url(rendition) -> str:
    helper = optional_callable("kiln.media.delivery.rendition_url")
    if helper is not None:
        return helper(rendition)
    return storages["default"].url(rendition.key)
