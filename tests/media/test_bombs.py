"""Issue 25, point 1 (PNG text bombs, poison uploads) and point 11 (tiny JPEGs)."""

import resource
import subprocess
import sys
from datetime import timedelta

import pytest
import pyvips
from django.core.exceptions import ValidationError
from django.utils import timezone

from kiln.media import pngtext, services
from kiln.media.models import MediaAsset
from kiln.provenance.screening import containers
from tests.conftest import REPO_ROOT
from tests.media.conftest import files_under
from tests.security.corpus import bomb_png, png_chunk


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [b"zTXt", b"iTXt"])
def test_text_bomb_is_refused_at_upload_and_leaves_nothing(client, artist, media_root, kind):
    # 9 chunks of 2 MB: each under any per-chunk cap, 18 MB together (the cap is 16 MB).
    client.force_login(artist)
    data = bomb_png(9, 2, kind=kind)
    response = client.post("/media/upload", {"file": _named(data)})
    assert response.status_code == 400
    assert "text metadata" in response.json()["error"]
    assert MediaAsset.objects.count() == 0
    assert files_under(media_root) == []


def _named(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("art.png", data, content_type="image/png")


def test_counting_inflated_text_stops_at_the_budget():
    data = bomb_png(40, 40)  # the reported file: 1.7 MB, 1.6 GB of text
    assert len(data) < 2_000_000
    counted = pngtext.text_bytes(data, budget=16 << 20)
    assert 16 << 20 < counted < 18 << 20  # stopped just past the budget, not at 1.6 GB


def test_the_decoder_never_sees_text_chunks():
    honest = bomb_png(3, 1)
    stripped = pngtext.without_text(honest)
    assert b"zTXt" not in stripped and len(stripped) < 400
    assert not any("comment" in f for f in pyvips.Image.new_from_buffer(stripped, "").get_fields())
    assert any("comment" in f for f in pyvips.Image.new_from_buffer(honest, "").get_fields())
    # Everything else, and a malformed tail, reaches the decoder unchanged.
    tail = honest + png_chunk(b"tEXt", b"k\0v")[:-3]
    assert pngtext.without_text(tail).endswith(png_chunk(b"tEXt", b"k\0v")[:-3])


@pytest.mark.django_db
def test_honest_png_with_text_still_renders(artist, upload):
    asset = upload(artist, bomb_png(2, 1))  # 2 MB of text: allowed, then dropped
    assert asset.state == MediaAsset.State.READY


def test_provenance_screener_bounds_text_per_file_not_only_per_chunk():
    metadata = containers.read_metadata(bomb_png(3, 20))
    kept = sum(len(v) for values in metadata.texts.values() for v in values)
    assert kept <= containers.MAX_INFLATE_TOTAL
    assert any("dropped" in error for error in metadata.errors)


def test_the_memory_cap_stops_the_unprotected_decode_in_its_own_process():
    """A child capped at 400 MB decodes the 40 × 40 MB bomb straight with libvips: it fails at
    the cap (GLib aborts, or libvips reports the failed allocation) instead of going to 20 GB.
    A 2 GB backstop set before it starts keeps a broken cap from taking the test machine."""
    code = (
        "import os; os.environ['KILN_SQLITE_MMAP_BYTES']='0'; os.environ['KILN_MEMORY_CAP_MB']='400'\n"
        "import resource; from kiln.core.memory import apply_memory_cap\n"
        "print(apply_memory_cap('worker') >> 20, flush=True)\n"
        "import pyvips; from tests.security.corpus import bomb_png\n"
        "pyvips.Image.new_from_buffer(bomb_png(40, 40), '').get_fields()\n"
        "print('decoded', flush=True)\n"
    )

    def backstop():
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    child = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        preexec_fn=backstop,
        timeout=60,
    )
    assert child.stdout.split()[:1] == ["400"]  # capped below the backstop
    assert child.returncode != 0 and "decoded" not in child.stdout


@pytest.mark.django_db
def test_poison_upload_fails_for_good_and_neither_retry_nor_reupload_runs_it(
    client, artist, settings
):
    settings.KILN_MEDIA_MAX_ATTEMPTS = 2
    data = bomb_png(2, 1)
    asset = services.media_asset_create(owner=artist, upload=data)
    for _ in range(2):  # two workers die mid-render: their leases lapse
        services._claim(asset.pk)
        MediaAsset.objects.filter(pk=asset.pk).update(
            locked_until=timezone.now() - timedelta(seconds=1)
        )
    assert services.media_asset_process(asset_id=asset.pk) is False
    asset.refresh_from_db()
    assert asset.state == MediaAsset.State.FAILED and asset.poisoned
    client.force_login(artist)
    response = client.post(f"/media/{asset.pk}/retry")
    assert response.status_code == 400
    assert "won't try it again" in response.json()["error"]
    asset.refresh_from_db()
    assert asset.state == MediaAsset.State.FAILED and asset.attempts == 2
    with pytest.raises(ValidationError, match="won't try it again"):
        services.media_asset_create(owner=artist, upload=data)
    assert MediaAsset.objects.count() == 1


@pytest.mark.django_db
def test_a_decoder_out_of_memory_poisons_the_asset(artist, upload, monkeypatch):
    def out_of_memory(**kwargs):
        raise MemoryError

    monkeypatch.setattr(services.imaging, "render", out_of_memory)
    asset = upload(artist, bomb_png(1, 1))
    assert asset.state == MediaAsset.State.FAILED and asset.poisoned
    with pytest.raises(ValidationError):
        services.media_asset_retry(asset=asset)


@pytest.mark.django_db
@pytest.mark.parametrize("size", [(1, 1), (2, 2), (3, 5), (3000, 1)])
def test_tiny_jpegs_are_accepted_and_rendered(artist, upload, size):

    image = pyvips.Image.black(*size, bands=3) + [200, 30, 30]
    asset = upload(artist, image.cast("uchar").jpegsave_buffer())
    assert asset.state == MediaAsset.State.READY, asset.failure_reason
    assert (asset.width, asset.height) == size
