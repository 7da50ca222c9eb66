"""Only cleared work enters the repost index and the registry; credit goes to the earliest
cleared work; the registry names only published work; the client never picks the work URL."""

import io

import pytest
from PIL import Image, ImageOps

from kiln.core.procedural import artwork
from kiln.provenance import hashing, index, services
from kiln.provenance.models import ImageHash, RepostMatch, TakedownRequest

LOOKUP = "/api/registry/v1/lookup"


def _png(seed: int) -> bytes:
    buf = io.BytesIO()
    artwork(seed, 480, 360).convert("RGB").save(buf, "PNG")
    return buf.getvalue()


def _jpeg(im: Image.Image, q: int = 80) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=q)
    return buf.getvalue()


def _repost(data: bytes) -> bytes:
    """A reposter's copy: mirrored, downsized, re-encoded."""
    im = ImageOps.mirror(Image.open(io.BytesIO(data)).convert("RGB"))
    return _jpeg(im.resize((im.width * 3 // 4, im.height * 3 // 4)))


def _full_hash(asset) -> bytes:
    return bytes(ImageHash.objects.get(asset=asset, kind="full").bits)


def _indexed(asset) -> bool:
    return asset.pk in index.matcher().hashes.search([_full_hash(asset)], radius=0)


@pytest.fixture
def carol(make_user):
    return make_user("cy")


def test_repost_chain_credits_the_first_artist_and_keeps_copies_out(
    artist, thief, carol, upload, publish
):
    a = upload(artist, _png(101))
    publish(artist, a)
    b = upload(thief, _repost(_png(101)))
    assert RepostMatch.objects.get(upload=b).original_id == a.pk
    assert _indexed(a) and not _indexed(b)  # a held copy is no original
    with open_original(b) as fh:
        c = upload(carol, _jpeg(Image.open(fh).convert("RGB"), 70))  # C reposts B's copy
    assert list(RepostMatch.objects.filter(upload=c).values_list("original_id", flat=True)) == [
        a.pk
    ]


def test_a_copy_let_stand_still_credits_the_original(artist, thief, carol, upload, publish, client):
    a = upload(artist, _png(102))
    publish(artist, a)
    b = upload(thief, _repost(_png(102)))
    services.repost_match_answer(
        user=artist, match=RepostMatch.objects.get(upload=b), answer="fine"
    )
    publish(thief, b)  # cleared now, and public on the reposter's portfolio
    assert _indexed(b)
    with open_original(b) as fh:
        c = upload(carol, fh.read())  # C reposts B's copy byte for byte: distance 0 to B
    match = RepostMatch.objects.get(upload=c)
    assert (match.original_id, match.original_artist_id) == (a.pk, artist.pk)
    # The registry at distance 0 from B's copy names A, never B.
    answer = client.get(LOOKUP, {"pdq": _full_hash(b).hex()}).json()
    assert answer["match"] is True and answer["artist"]["username"] == "ana"
    assert answer["url"] == a.work_url


def test_staff_takedown_removes_the_copy_from_the_index(artist, thief, staff, upload):
    upload(artist, _png(103))
    b = upload(thief, _repost(_png(103)))
    match = RepostMatch.objects.get(upload=b)
    services.repost_match_answer(user=artist, match=match, answer="takedown")
    services.takedown_decide(
        staff=staff, takedown=TakedownRequest.objects.get(match=match), remove=True
    )
    assert not ImageHash.objects.filter(asset=b).exists()
    index.reset()  # a process starting now
    assert b.pk not in index.matcher().hashes.search(
        [h.bits for h in hashing.query_hashes(_repost(_png(103)))]
    )


def test_released_work_enters_the_index_in_every_process(artist, thief, staff, upload):
    import variants as v

    from kiln.provenance.models import Screening

    held = upload(artist, v.png_with_text({"parameters": v.WEBUI_PARAMS}, im=artwork(104)))
    index.matcher()  # this process has looked already: the rows it skipped are older
    assert not _indexed(held)
    appeal = services.appeal_create(
        user=artist, screening=Screening.objects.get(asset=held), message="my painting"
    )
    services.appeal_decide(staff=staff, appeal=appeal, accept=True)
    assert _indexed(held)


def test_registry_names_only_published_work(
    artist, upload, publish, client, django_capture_on_commit_callbacks
):
    from kiln.portfolio.services import project_unpublish

    asset = upload(artist, _png(108))
    pdq = _full_hash(asset).hex()
    assert client.get(LOOKUP, {"pdq": pdq}).json()["match"] is False  # cleared, not published
    project = publish(artist, asset)
    assert client.get(LOOKUP, {"pdq": pdq}).json()["artist"]["username"] == "ana"
    with django_capture_on_commit_callbacks(execute=True):
        project_unpublish(user=artist, project=project)
    assert client.get(LOOKUP, {"pdq": pdq}).json()["match"] is False


def test_upload_ignores_a_client_chosen_work_url(
    client, artist, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kiln.media.models import MediaAsset

    client.force_login(artist)
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(
            "/media/upload",
            {
                "file": SimpleUploadedFile("a.png", _png(109), "image/png"),
                "work_url": "https://evil.example/buy-now",
            },
        )
    assert resp.status_code == 201
    asset = MediaAsset.objects.get(pk=int(resp.json()["id"]))
    assert asset.work_url == ""
    assert asset.state == "ready"
    assert not any(b"evil.example" in r for r in rendition_bytes(asset))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[" * 100_000, "nested deeper"),
        ('{"hashes": ' + "[" * 5000 + "]" * 5000 + "}", "nested deeper"),
        ('{"hashes": ["' + "[" * 1000 + '"]}', "hashes[0]"),  # brackets in a string are text
        ("x" * 200_001, "too large"),
        (b"\xff\xfe", "UTF-8"),
    ],
)
def test_registry_bounds_json_depth_and_size(client, db, body, message):
    resp = client.post(LOOKUP, body, content_type="application/json")
    assert resp.status_code == 400
    assert message in resp.json()["error"]


# --- helpers -------------------------------------------------------------------------------


def open_original(asset):
    from django.core.files.storage import storages

    return storages["private"].open(asset.original_key)


def rendition_bytes(asset):
    from django.core.files.storage import storages

    for r in asset.renditions.all():
        with storages["default"].open(r.key) as fh:
            yield fh.read()


def test_forgotten_then_cleared_again_is_found_by_keypoints_too(artist, upload):
    from kiln.provenance.models import ImageFeatures

    a = upload(artist, _png(110))
    assert ImageFeatures.objects.filter(asset=a).exists()
    m = index.matcher()
    index.forget(a.pk)  # e.g. a re-screen held it
    assert a.pk not in m.match(_png(110))
    services._index_sync(asset_id=a.pk)  # cleared again: rows re-inserted
    m = index.matcher()
    assert a.pk in m.hashes.search([_full_hash(a)], radius=0)
    assert m.features is None or a.pk not in m.features._dead
