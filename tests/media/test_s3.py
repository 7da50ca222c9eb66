"""The pipeline against an S3-compatible store: moto in server mode, started by the test.

Opt-in (KILN_TEST_S3=1, set by .ci/run on lane 1) because the server takes a few seconds.
"""

import os
import socket

import pytest

from kiln.core.s3 import s3_storages as s3_storages_for
from kiln.media.delivery import rendition_url
from kiln.media.models import MediaAsset
from tests.media import images

pytestmark = [
    pytest.mark.s3,
    pytest.mark.skipif(os.environ.get("KILN_TEST_S3") != "1", reason="set KILN_TEST_S3=1"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def moto_endpoint():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_storages(moto_endpoint, settings, monkeypatch):
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    bucket = "kiln-media-test"
    client = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        **s3_storages_for(
            bucket=bucket,
            endpoint_url=moto_endpoint,
            region_name="us-east-1",
            timeout_seconds=settings.KILN_S3_TIMEOUT_SECONDS,
        ),
    }
    yield client, bucket
    listing = client.list_objects_v2(Bucket=bucket)
    for item in listing.get("Contents", []):
        client.delete_object(Bucket=bucket, Key=item["Key"])
    client.delete_bucket(Bucket=bucket)


def keys_in(client, bucket) -> set[str]:
    return {item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", [])}


@pytest.mark.django_db
def test_upload_process_serve_delete_on_s3(
    s3_storages, artist, upload, client, django_capture_on_commit_callbacks
):
    from kiln.media.services import media_asset_delete

    s3, bucket = s3_storages
    asset = upload(artist, images.jpeg(700, 500))
    assert asset.state == MediaAsset.State.READY, asset.failure_reason
    stored = keys_in(s3, bucket)
    assert f"private/{asset.original_key}" in stored
    renditions = list(asset.renditions.all())
    assert {f"public/{r.key}" for r in renditions} <= stored
    assert len(stored) == 1 + len(renditions) == 10
    for rendition in renditions:
        response = client.get(rendition_url(rendition))
        assert response.status_code == 200
        assert len(b"".join(response.streaming_content)) == rendition.bytes
    with django_capture_on_commit_callbacks(execute=True):
        media_asset_delete(asset=asset)
    assert keys_in(s3, bucket) == set()


@pytest.mark.django_db
def test_refusal_leaves_nothing_on_s3(s3_storages, artist):
    from django.core.exceptions import ValidationError

    from kiln.media.services import media_asset_create

    s3, bucket = s3_storages
    with pytest.raises(ValidationError):
        media_asset_create(owner=artist, upload=images.HTML_AS_JPG)
    assert keys_in(s3, bucket) == set()
