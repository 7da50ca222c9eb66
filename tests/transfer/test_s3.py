"""Deletion and export against the S3 test server (moto), as tests/media/test_s3.py runs it."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from kiln.transfer import services
from kiln.transfer.models import DataExport
from kiln.transfer.tasks import transfer_sweep
from tests.media.test_s3 import keys_in, moto_endpoint, s3_storages  # noqa: F401 - fixtures

from .helpers import give_artist_a_life

pytestmark = [
    pytest.mark.s3,
    pytest.mark.skipif(os.environ.get("KILN_TEST_S3") != "1", reason="set KILN_TEST_S3=1"),
    pytest.mark.django_db,
]


def test_export_then_deletion_leave_no_object_of_theirs_on_s3(
    s3_storages,  # noqa: F811
    make_user,
    client,
    django_capture_on_commit_callbacks,
):
    s3, bucket = s3_storages
    ana = make_user("ana")
    ben = make_user("ben")
    give_artist_a_life(ana, ben, django_capture_on_commit_callbacks)
    client.force_login(ana)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/settings/data/export")
    export = DataExport.objects.get(owner=ana, state="ready")
    assert any(k.startswith("private/exports/") for k in keys_in(s3, bucket))
    response = client.get(f"/settings/data/export/{export.pk}")
    assert response.status_code == 200 and b"".join(response.streaming_content)[:2] == b"PK"
    assert any(k.startswith("private/originals/") for k in keys_in(s3, bucket))
    assert any(k.startswith("public/") for k in keys_in(s3, bucket))

    services.account_delete_request(user=ana, password="pw-Kiln-2026")
    assert transfer_sweep(now=timezone.now() + timedelta(days=31)) == 1
    assert keys_in(s3, bucket) == set()  # ben uploaded nothing


def test_a_held_deletion_keeps_every_object_on_s3_until_lifted(
    s3_storages,  # noqa: F811
    make_user,
    django_capture_on_commit_callbacks,
):
    from kiln.moderation.services_holds import legal_hold_lift, legal_hold_place
    from tests.moderation.conftest import _staff

    s3, bucket = s3_storages
    ana = make_user("ana")
    ben = make_user("ben")
    mod = _staff(make_user("mod"), "Moderators")
    give_artist_a_life(ana, ben, django_capture_on_commit_callbacks)
    hold = legal_hold_place(moderator=mod, account=ana, reason="Preservation order 15 O 123/26")
    services.account_delete_request(user=ana, password="pw-Kiln-2026")
    objects = keys_in(s3, bucket)
    assert any(k.startswith("private/originals/") for k in objects)
    later = timezone.now() + timedelta(days=31)
    assert transfer_sweep(now=later) == 1
    assert keys_in(s3, bucket) == objects  # the hold keeps every object
    legal_hold_lift(moderator=mod, hold=hold, reason="Order withdrawn")
    assert transfer_sweep(now=later + timedelta(minutes=5)) == 1
    assert keys_in(s3, bucket) == set()
