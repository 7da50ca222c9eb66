import io

import pytest
from PIL import Image

from kiln.accounts.models import User

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 30, 200)).save(out, "PNG")
    return out.getvalue()


def test_deleting_an_account_with_post_images_deletes_its_rows(
    make_user, django_capture_on_commit_callbacks
):
    from kiln.media.models import MediaAsset
    from kiln.media.services import media_asset_create
    from kiln.posts.models import Post
    from kiln.posts.services import post_create

    user = make_user("leaving")
    with django_capture_on_commit_callbacks(execute=True):
        asset = media_asset_create(owner=user, upload=png_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        post_create(author=user, text="last post", attachments=[(asset.pk, "a purple square")])
    user.delete()
    assert not User.objects.filter(username="leaving").exists()
    assert not MediaAsset.objects.filter(pk=asset.pk).exists()
    assert not Post.objects.exists()
