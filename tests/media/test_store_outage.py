"""The file store refuses writes (S3 answering 503 SlowDown, or down): an upload is refused
clearly and stores nothing; a render keeps no row that names a file it could not write, and is
retried once the store is back (issue 24's "S3 refuses writes for 30 s" drill, in small)."""

import pytest
from botocore.exceptions import ClientError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kiln.media import services
from kiln.media.models import MediaAsset, Rendition
from tests.media import images
from tests.media.conftest import files_under

SLOW_DOWN = {"Error": {"Code": "SlowDown", "Message": "Please reduce your request rate."}}


@pytest.fixture
def refusing_store(monkeypatch):
    """Every write to a file storage fails as boto3 fails once its retries are spent."""
    state = {"refusing": True}
    real_save = FileSystemStorage._save

    def save(self, name, content):
        if state["refusing"]:
            raise ClientError(SLOW_DOWN, "PutObject")
        return real_save(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", save)
    return state


@pytest.mark.django_db
def test_upload_is_refused_clearly_with_retry_after(client, artist, media_root, refusing_store):
    client.force_login(artist)
    data = images.jpeg(800, 600)
    response = client.post(
        "/media/upload", {"file": SimpleUploadedFile("a.jpg", data, "image/jpeg")}
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Nothing was saved" in response.json()["error"]
    assert MediaAsset.objects.count() == 0
    assert files_under(media_root) == []


@pytest.mark.django_db
def test_render_during_outage_keeps_no_row_for_a_missing_file_and_retries(
    artist, media_root, refusing_store, django_capture_on_commit_callbacks
):
    refusing_store["refusing"] = False
    with django_capture_on_commit_callbacks(execute=False):
        asset = services.media_asset_create(owner=artist, upload=images.jpeg(800, 600))
    refusing_store["refusing"] = True

    assert services.media_asset_process(asset_id=asset.pk) is False
    asset.refresh_from_db()
    assert asset.state == MediaAsset.State.PROCESSING  # not failed: the file is fine
    assert asset.attempts == 0  # the store's outage does not count against the file
    assert Rendition.objects.filter(asset=asset).count() == 0
    assert asset.locked_until <= timezone.now() + timezone.timedelta(seconds=31)

    # The store is back and the short lease has run out: the sweeper queues it again.
    refusing_store["refusing"] = False
    MediaAsset.objects.filter(pk=asset.pk).update(locked_until=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert services.media_sweep() == 1  # tests run tasks inline: it renders here
    asset.refresh_from_db()
    assert asset.state == MediaAsset.State.READY
    public = media_root / "public"
    for rendition in asset.renditions.all():
        assert (public / rendition.key).is_file(), rendition.key


@pytest.fixture
def silent_store(settings, monkeypatch):
    """An S3 endpoint that accepts connections and never answers (the "S3 frozen" drill)."""
    import socket
    import threading

    from kiln.core.s3 import s3_storages

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    listener = socket.create_server(("127.0.0.1", 0))
    held = []
    stop = threading.Event()

    def accept_and_say_nothing():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept_and_say_nothing, daemon=True)
    thread.start()
    endpoint = f"http://127.0.0.1:{listener.getsockname()[1]}"
    settings.STORAGES = {
        **settings.STORAGES,
        **s3_storages(
            bucket="frozen", endpoint_url=endpoint, region_name="us-east-1", timeout_seconds=1
        ),
    }
    yield held
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


@pytest.mark.django_db
def test_a_store_that_stops_answering_refuses_the_upload_after_one_retry(
    client, artist, silent_store
):
    client.force_login(artist)
    data = images.jpeg(800, 600)
    response = client.post(
        "/media/upload", {"file": SimpleUploadedFile("a.jpg", data, "image/jpeg")}
    )
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert MediaAsset.objects.count() == 0
    # The first try and one retry, each given up after the timeout: the web worker is free
    # again in seconds instead of botocore's default five tries of 60 s each.
    assert len(silent_store) == 2
