import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from PIL import Image


@pytest.fixture
def make_asset(db):
    """A ready MediaAsset with one small public rendition and a private original on disk."""
    from kiln.core.ids import new_id
    from kiln.media.models import MediaAsset, Rendition

    def make(owner, color=(200, 80, 40)):
        out = io.BytesIO()
        Image.new("RGB", (32, 24), color).save(out, "JPEG")
        data = out.getvalue()
        key = f"test/{new_id()}"
        original = storages["private"].save(f"{key}.jpg", ContentFile(data))
        asset = MediaAsset.objects.create(
            owner=owner,
            state=MediaAsset.State.READY,
            original_key=original,
            original_format="jpeg",
            original_bytes=len(data),
            original_sha256="0" * 64,
            width=32,
            height=24,
        )
        public = storages["default"].save(f"r/{key}.jpg", ContentFile(data))
        Rendition.objects.create(
            asset=asset, format="jpeg", width=32, height=24, key=public, bytes=len(data)
        )
        return asset

    return make
