"""Instagram import through the real views: chunked upload with resume, review, processing
that survives an interruption, no duplicates, and bad input that leaves nothing behind."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kiln.media.models import MediaAsset
from kiln.portfolio.models import Project
from kiln.posts.models import Post, PostTag
from kiln.transfer import imports
from kiln.transfer.models import ImportItem, InstagramImport
from kiln.transfer.tasks import transfer_sweep

from .archives import build_archive

pytestmark = pytest.mark.django_db
CHUNK = 16 * 1024


@pytest.fixture(autouse=True)
def small_chunks(settings, tmp_path):
    settings.KILN_IMPORT_CHUNK_BYTES = CHUNK
    settings.VAR_DIR = tmp_path / "var"


def upload(client, data: bytes, stop_at: int | None = None):
    response = client.post("/settings/data/instagram/start", {"size": len(data)})
    assert response.status_code == 201, response.content
    state = response.json()
    start = 0
    while start < len(data) and (stop_at is None or start < stop_at):
        end = min(start + CHUNK, len(data))
        response = client.post(
            f"/settings/data/instagram/{state['id']}/chunk",
            data[start:end],
            content_type="application/octet-stream",
            HTTP_CONTENT_RANGE=f"bytes {start}-{end - 1}/{len(data)}",
        )
        assert response.status_code == 200, response.content
        state = response.json()
        start = state["received"]
    return InstagramImport.objects.get(pk=state["id"])


def confirm(client, batch, projects=4, capture=None, **extra):
    items = list(batch.items.filter(state="found"))
    form = {
        f"item-{item.pk}": "project" if i < projects else "post" for i, item in enumerate(items)
    }
    form.update(extra)
    with capture(execute=True):
        response = client.post(f"/settings/data/instagram/{batch.pk}/confirm", form)
    assert response.status_code == 302
    batch.refresh_from_db()
    return batch


@pytest.fixture
def artist(client, make_user):
    ana = make_user("ana")
    client.force_login(ana)
    return ana


def test_upload_review_and_import(client, artist, django_capture_on_commit_callbacks):
    batch = upload(client, build_archive())
    assert batch.state == "review"
    page = client.get(f"/settings/data/instagram/{batch.pk}").content.decode()
    assert page.count('data-testid="ig-item"') == 12
    assert "Originally posted on Instagram on " in page
    assert ">12 Feb 2019</time>" in page
    assert "Nothing is sent to or fetched from Instagram" in page
    item = batch.items.first()
    image = client.get(f"/settings/data/instagram/{batch.pk}/media/{item.pk}")
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert not Post.objects.exists()  # nothing public before the review is confirmed

    batch = confirm(client, batch, capture=django_capture_on_commit_callbacks, use_profile="on")
    assert batch.state == "done"
    assert not imports.archive_path(batch).exists()
    projects = Project.objects.filter(owner=artist)
    assert projects.count() == 4 and all(p.state == "published" for p in projects)
    assert sorted(p.images.count() for p in projects) == [1, 3, 3, 3]
    posts = Post.objects.filter(author=artist).order_by("created_at")
    assert posts.count() == 8
    first = posts[0]
    assert first.created_at.year == 2019  # the original date
    assert "Originally posted on Instagram on" in first.text
    assert PostTag.objects.filter(post=first, tag="ceramics").exists()
    assert Project.objects.get(owner=artist, created_on__isnull=False, pk=projects[0].pk)
    artist.profile.refresh_from_db()
    assert artist.profile.bio == "Potter in Kyōto ✿"
    assert MediaAsset.objects.filter(owner=artist, state="ready").count() == 18
    progress = client.get(f"/settings/data/instagram/{batch.pk}/progress").content.decode()
    assert "12 of 12" in progress


def test_the_same_archive_twice_makes_no_duplicates(
    client, artist, django_capture_on_commit_callbacks
):
    data = build_archive(count=4, carousels=1)
    confirm(client, upload(client, data), projects=1, capture=django_capture_on_commit_callbacks)
    assert Post.objects.count() == 3 and Project.objects.count() == 1
    again = upload(client, data)
    assert again.items.filter(state="duplicate").count() == 4
    assert (
        "already imported before"
        in client.get(f"/settings/data/instagram/{again.pk}").content.decode()
    )
    confirm(client, again, capture=django_capture_on_commit_callbacks)
    assert Post.objects.count() == 3 and Project.objects.count() == 1


def test_an_upload_resumes_where_it_stopped(client, artist):
    data = build_archive(count=10, carousels=0)
    assert len(data) > 3 * CHUNK
    batch = upload(client, data, stop_at=2 * CHUNK)
    assert batch.state == "uploading" and batch.received_bytes == 2 * CHUNK
    status = client.get(f"/settings/data/instagram/{batch.pk}/status").json()
    assert status["received"] == 2 * CHUNK
    # A piece sent from the wrong place changes nothing.
    wrong = client.post(
        f"/settings/data/instagram/{batch.pk}/chunk",
        data[:CHUNK],
        content_type="application/octet-stream",
        HTTP_CONTENT_RANGE=f"bytes 0-{CHUNK - 1}/{len(data)}",
    )
    assert wrong.status_code == 409 and wrong.json()["received"] == 2 * CHUNK
    start = 2 * CHUNK
    while start < len(data):
        end = min(start + CHUNK, len(data))
        state = client.post(
            f"/settings/data/instagram/{batch.pk}/chunk",
            data[start:end],
            content_type="application/octet-stream",
            HTTP_CONTENT_RANGE=f"bytes {start}-{end - 1}/{len(data)}",
        ).json()
        start = state["received"]
    batch.refresh_from_db()
    assert batch.state == "review" and batch.items.count() == 10


def test_a_killed_import_resumes_where_it_stopped(
    client, artist, django_capture_on_commit_callbacks, monkeypatch
):
    """Killed in the middle of a carousel (its three images stored, one processed): the next
    worker reuses what was stored and finishes, with no image made twice."""
    batch = upload(client, build_archive(count=6, carousels=2))

    class Killed(BaseException):  # like a kill: nothing in the import catches it
        pass

    real_process = imports.media_asset_process
    calls = []

    def process_then_die(*, asset_id):
        calls.append(asset_id)
        if len(calls) == 5:  # the second carousel's second image
            raise Killed
        return real_process(asset_id=asset_id)

    monkeypatch.setattr(imports, "media_asset_process", process_then_die)
    confirm(client, batch, projects=2, capture=django_capture_on_commit_callbacks)
    assert calls, "the import ran, and died"
    batch.refresh_from_db()
    assert batch.state == "processing"
    assert ImportItem.objects.filter(batch=batch, state="done").count() == 1
    assert len(ImportItem.objects.get(batch=batch, position=1).asset_ids) == 3
    monkeypatch.setattr(imports, "media_asset_process", real_process)
    # Its lease still runs: a second worker leaves it alone...
    assert transfer_sweep() == 0 and not imports.instagram_import_process(batch_id=batch.pk)
    # ...until it lapses; then the sweep hands the import to a new worker.
    InstagramImport.objects.filter(pk=batch.pk).update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )
    transfer_sweep()
    batch.refresh_from_db()
    assert batch.state == "done"
    assert ImportItem.objects.filter(batch=batch, state="done").count() == 6
    assert Project.objects.count() == 2 and Post.objects.count() == 4
    assert MediaAsset.objects.count() == 10  # 2 carousels of 3 + 4 singles: none made twice
    assert MediaAsset.objects.filter(state="ready").count() == 10


def test_missing_and_corrupt_images_fail_alone(
    client, artist, django_capture_on_commit_callbacks, media_root
):
    data = build_archive(
        count=4,
        carousels=1,
        drop_files={"media/posts/201901/img_1_0.jpg"},
        corrupt={"media/posts/201900/img_0_1.jpg"},
    )
    batch = confirm(
        client, upload(client, data), projects=1, capture=django_capture_on_commit_callbacks
    )
    failed = {i.position: i.note for i in batch.items.filter(state="failed")}
    assert set(failed) == {0, 1}
    assert "missing from the archive" in failed[1]
    assert "img_0_1.jpg" in failed[0]
    assert Post.objects.count() == 2
    page = client.get(f"/settings/data/instagram/{batch.pk}").content.decode()
    assert "missing from the archive" in page
    # The failed carousel's first image, already stored, went with it.
    assert MediaAsset.objects.count() == 2
    originals = list((media_root / "private" / "originals").iterdir())
    assert len(originals) == 2


@pytest.mark.parametrize(
    "data, message",
    [
        (b"definitely not a zip file", "not a ZIP archive"),
        (build_archive(extra={"../evil.txt": b"x"}), "unsafe file name"),
        (build_archive(extra={"big.bin": b"\0" * (8 * 1024 * 1024)}), "ZIP bomb"),
    ],
)
def test_bad_archives_are_refused_and_leave_nothing(client, artist, data, message):
    batch = upload(client, data)
    assert batch.state == "refused" and message in batch.refusal
    assert not imports.archive_path(batch).exists()
    page = client.get("/settings/data/instagram", follow=True).content.decode()
    assert message in page
    assert not ImportItem.objects.exists() and not MediaAsset.objects.exists()


def test_imports_are_private(client, artist, make_user, django_capture_on_commit_callbacks):
    batch = upload(client, build_archive(count=2, carousels=0))
    item = batch.items.first()
    urls = [
        f"/settings/data/instagram/{batch.pk}",
        f"/settings/data/instagram/{batch.pk}/status",
        f"/settings/data/instagram/{batch.pk}/media/{item.pk}",
    ]
    client.logout()
    for url in urls:
        assert client.get(url)["Location"].startswith("/accounts/login/")
    ben = make_user("ben")
    staff = make_user("boss")
    staff.is_staff = True
    staff.save()
    for other in (ben, staff):
        client.force_login(other)
        for url in urls:
            assert client.get(url).status_code == 404
        response = client.post(
            f"/settings/data/instagram/{batch.pk}/confirm", {f"item-{item.pk}": "post"}
        )
        assert response.status_code == 404
        assert client.post(f"/settings/data/instagram/{batch.pk}/discard").status_code == 404
    batch.refresh_from_db()
    assert batch.state == "review" and not Post.objects.exists()


def test_an_oversized_upload_is_refused_before_any_byte(client, artist, settings):
    settings.KILN_IMPORT_MAX_BYTES = 1000
    response = client.post("/settings/data/instagram/start", {"size": 1001})
    assert response.status_code == 400 and "limit" in response.json()["error"]
    assert not InstagramImport.objects.exists()
