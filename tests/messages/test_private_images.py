"""Private images (message images, commission references) are screened but never matched
against other artists' work: a match would show the private image to a third party."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kiln.core.procedural import artwork
from kiln.media.services import media_asset_create
from kiln.messages import services
from kiln.provenance.models import ImageHash, RepostMatch
from kiln.social.services import follow_create


@pytest.fixture(autouse=True)
def fresh_repost_index():
    """The repost index is process-wide; this test starts from its own database."""
    from kiln.provenance import index

    index.reset()
    yield
    index.reset()


def _art() -> bytes:
    out = io.BytesIO()
    artwork(11, 480, 360).convert("RGB").save(out, "PNG")
    return out.getvalue()


def test_a_private_copy_of_public_art_makes_no_match_and_no_hash(
    make_user, django_capture_on_commit_callbacks
):
    painter, ana, ben = make_user("painter"), make_user("ana"), make_user("ben")
    art = _art()
    with django_capture_on_commit_callbacks(execute=True):
        media_asset_create(owner=painter, upload=art)
    follow_create(follower=ben, followed=ana)
    convo = services.conversation_open_direct(sender=ana, recipient=ben)
    with django_capture_on_commit_callbacks(execute=True):
        message = services.message_send(
            sender=ana,
            conversation=convo,
            body="Like this one?",
            images=[SimpleUploadedFile("ref.png", art, content_type="image/png")],
        )
    private = message.images.get().asset
    assert private.is_private and private.screening.state  # screened all the same
    assert RepostMatch.objects.count() == 0
    assert not ImageHash.objects.filter(asset=private).exists()
    # The control: the same bytes uploaded publicly are matched, so the test above can fail.
    with django_capture_on_commit_callbacks(execute=True):
        media_asset_create(owner=ana, upload=art)
    assert RepostMatch.objects.count() == 1
