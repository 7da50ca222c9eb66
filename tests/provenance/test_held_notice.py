"""An upload the screening holds tells its artist, once, with a link to the findings."""

import pytest

from kiln.notifications.models import Notification

from .test_services import ai_png, art_png

pytestmark = pytest.mark.django_db


def test_a_held_upload_notifies_its_artist_once(artist, upload):
    asset = upload(artist, ai_png())
    notes = Notification.objects.filter(recipient=artist, kind=Notification.Kind.HELD)
    assert [(n.asset_id, n.actor_id) for n in notes] == [(asset.pk, artist.pk)]


def test_a_clear_upload_notifies_nobody(artist, upload):
    upload(artist, art_png())
    assert not Notification.objects.filter(kind=Notification.Kind.HELD).exists()
