"""Settings → Your data → export: a ZIP built in the background, for its owner alone."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from kiln.media.models import MediaAsset
from kiln.notifications.models import Notification
from kiln.transfer.models import DataExport
from kiln.transfer.tasks import transfer_sweep

from .helpers import files_under, give_artist_a_life

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(client, make_user, django_capture_on_commit_callbacks):
    ana = make_user("ana", display_name="Ana Ink")
    ben = make_user("ben")
    life = give_artist_a_life(ana, ben, django_capture_on_commit_callbacks)
    client.force_login(ana)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/settings/data/export")
    assert response.status_code == 302
    export = DataExport.objects.get(owner=ana)
    return ana, ben, life, export


def download(client, export):
    response = client.get(f"/settings/data/export/{export.pk}")
    assert response.status_code == 200, response.status_code
    assert response["Cache-Control"] == "private, no-store"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_export_holds_everything_and_tells_the_owner(client, exported):
    ana, ben, life, export = exported
    export.refresh_from_db()
    assert export.state == "ready" and export.expires_at > timezone.now() + timedelta(days=6)
    assert Notification.objects.filter(recipient=ana, kind="export_ready").exists()
    assert [m.to for m in mail.outbox if "export" in m.body] == [["ana@example.com"]]
    assert "/settings/data" in client.get("/notifications").content.decode()

    zf = download(client, export)
    names = set(zf.namelist())
    for asset in MediaAsset.objects.filter(owner=ana):
        name = next(n for n in names if n.startswith(f"originals/{asset.pk}."))
        assert len(zf.read(name)) == asset.original_bytes  # as uploaded, byte for byte
    posts = json.loads(zf.read("posts.json"))
    texts = {p["text"] for p in posts}
    assert {"my work #ink", "thanks!"} <= texts and "lovely" not in texts  # ben's reply is his
    assert next(p for p in posts if p["text"] == "thanks!")["is_reply"]
    assert json.loads(zf.read("projects.json"))[0]["title"] == "Kilns"
    assert len(json.loads(zf.read("likes.json"))["orderedItems"]) == 1
    people = json.loads(zf.read("people.json"))
    assert people["following"] == ["ben"] and people["mutes"] == ["ben"]
    sent = json.loads(zf.read("messages_sent.json"))
    assert [m["body"] for m in sent] == ["hello from me"]
    outbox = json.loads(zf.read("outbox.json"))
    assert outbox["type"] == "OrderedCollection" and outbox["orderedItems"][0]["type"] == "Create"
    assert json.loads(zf.read("actor.json"))["preferredUsername"] == "ana"
    for name in ("bookmarks.json", "notification_settings.json", "commission_sheet.json"):
        json.loads(zf.read(name))
    assert "@ana" in zf.read("index.html").decode()


def test_only_the_owner_can_download(client, exported, make_user):
    ana, ben, _, export = exported
    url = f"/settings/data/export/{export.pk}"
    client.logout()
    assert client.get(url)["Location"].startswith("/accounts/login/")
    client.force_login(ben)
    assert client.get(url).status_code == 404
    staff = make_user("boss")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    assert client.get(url).status_code == 404


def test_the_link_expires_after_7_days_and_the_file_goes(client, exported, media_root):
    ana, _, _, export = exported
    export.refresh_from_db()
    assert any(name.startswith("private/exports/") for name in files_under(media_root))
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(f"/settings/data/export/{export.pk}").status_code == 404
    transfer_sweep()
    assert not any(name.startswith("private/exports/") for name in files_under(media_root))
    assert not DataExport.objects.exists()


def test_one_export_at_a_time(client, make_user):
    ana = make_user("ana")
    DataExport.objects.create(owner=ana)  # queued, not yet built
    client.force_login(ana)
    client.post("/settings/data/export")
    assert DataExport.objects.filter(owner=ana).count() == 1
