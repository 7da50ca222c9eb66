"""Pages (screening, appeal, matches, staff queue) and the registry API."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import ImageOps
from test_services import _repost_of, ai_png, art_png

from kiln.core.procedural import artwork
from kiln.provenance import hashing
from kiln.provenance.models import Appeal, RepostMatch, Screening, TakedownRequest

ROOT = Path(__file__).resolve().parents[2]
LOOKUP = "/api/registry/v1/lookup"


def test_artist_sees_evidence_and_appeals(client, artist, upload):
    asset = upload(artist, ai_png())
    client.force_login(artist)
    page = client.get(f"/provenance/assets/{asset.pk}")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Stable Diffusion WebUI" in body and "png:parameters" in body and "held" in body
    resp = client.post(f"/provenance/assets/{asset.pk}/appeal", {"message": "Painted by hand"})
    assert resp.status_code == 302
    assert Appeal.objects.get().message == "Painted by hand"


def test_empty_appeal_is_refused_with_a_message(client, artist, upload):
    asset = upload(artist, ai_png())
    client.force_login(artist)
    resp = client.post(f"/provenance/assets/{asset.pk}/appeal", {"message": ""}, follow=True)
    assert "Tell the reviewers" in resp.content.decode()
    assert not Appeal.objects.exists()


def test_other_users_cannot_see_or_appeal(client, artist, thief, upload):
    asset = upload(artist, ai_png())
    client.force_login(thief)
    assert client.get(f"/provenance/assets/{asset.pk}").status_code == 404
    assert client.post(f"/provenance/assets/{asset.pk}/appeal", {"message": "x"}).status_code == 404
    assert not Appeal.objects.exists()


def test_staff_queue_and_release(client, artist, staff, upload):
    asset = upload(artist, ai_png())
    client.force_login(artist)
    client.post(f"/provenance/assets/{asset.pk}/appeal", {"message": "Process video attached"})
    appeal = Appeal.objects.get()
    assert client.get("/moderation").status_code == 404  # not staff
    client.force_login(staff)
    page = client.get("/moderation").content.decode()
    assert "Process video attached" in page
    client.post(f"/moderation/provenance/appeals/{appeal.pk}", {"decision": "bogus"})
    assert Appeal.objects.get().state == "open"
    client.post(f"/moderation/provenance/appeals/{appeal.pk}", {"decision": "accept", "note": "ok"})
    assert Screening.objects.get(asset=asset).state == "released"


def test_repost_flow_through_pages(client, artist, thief, staff, upload):
    upload(artist, art_png(seed=61))
    repost = upload(thief, _repost_of(61))
    match = RepostMatch.objects.get(upload=repost)
    client.force_login(thief)
    assert client.get(f"/provenance/matches/{match.pk}").status_code == 404
    client.force_login(artist)
    assert "@bo" in client.get("/provenance/matches").content.decode()
    page = client.get(f"/provenance/matches/{match.pk}").content.decode()
    assert "take it down" in page and "<img" in page
    client.post(f"/provenance/matches/{match.pk}/answer", {"answer": "takedown"})
    takedown = TakedownRequest.objects.get()
    client.force_login(staff)
    assert f"takedown-{takedown.pk}" in client.get("/moderation").content.decode()
    client.post(f"/moderation/provenance/takedowns/{takedown.pk}", {"decision": "remove"})
    assert RepostMatch.objects.get().state == "removed"


# --- registry ------------------------------------------------------------------------------


def _hash_of(data: bytes) -> str:
    return hashing.query_hashes(data)[0].hex


def _mirrored_copy(seed: int) -> bytes:
    """What a scraper finds: mirrored, downsized, re-encoded (the registry is PDQ only, so
    no crop here; crops are the repost detector's keypoint stage)."""
    im = ImageOps.mirror(artwork(seed, 480, 360).convert("RGB")).resize((240, 180))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=70)
    return buf.getvalue()


def test_registry_get_finds_a_published_work(client, artist, upload, publish):
    asset = upload(artist, art_png(seed=71))
    publish(artist, asset)
    resp = client.get(LOOKUP, {"pdq": _hash_of(_mirrored_copy(71))})
    # The copy is mirrored: the plain hash alone is far, the CLI sends all 8 dihedral ones.
    hexes = [h.hex for h in hashing.query_hashes(_mirrored_copy(71))]
    results = client.post(LOOKUP, {"hashes": hexes}, content_type="application/json").json()
    hits = [r for r in results["results"] if r["match"]]
    assert hits, results
    best = min(hits, key=lambda r: r["distance"])
    assert best["artist"]["username"] == "ana"
    assert best["reservation"]["plus:DataMining"] == "DMI-PROHIBITED-AIMLTRAINING"
    assert best["reservation"]["tdm-reservation"] == 1
    assert best["url"] == asset.work_url and "/@ana/" in best["url"]
    assert 0 <= best["distance"] <= 31
    assert resp.status_code == 200 and set(resp.json()) >= {"pdq", "match", "distance"}


def test_registry_exact_hash_and_unrelated_hash(client, artist, upload, publish):
    publish(artist, upload(artist, art_png(seed=72)))
    exact = hashing.index_hashes(art_png(seed=72))[0].hex
    assert client.get(LOOKUP, {"pdq": exact}).json()["distance"] == 0
    flipped = f"{int(exact, 16) ^ int('f' * 16, 16):064x}"  # 64 bits away
    assert client.get(LOOKUP, {"pdq": flipped}).json() == {
        "pdq": flipped,
        "match": False,
        "distance": None,
    }


def test_held_works_are_not_in_the_registry(client, artist, upload):
    upload(artist, ai_png())
    h = hashing.index_hashes(ai_png())
    assert not h or client.get(LOOKUP, {"pdq": h[0].hex}).json()["match"] is False


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "Missing the pdq"),
        ({"pdq": "abc"}, "64 hex digits"),
        ({"pdq": "z" * 64}, "hex digits 0-9"),
        ({"pdq": "0" * 65}, "64 hex digits"),
    ],
)
def test_registry_get_rejects_malformed_hashes(client, params, message):
    resp = client.get(LOOKUP, params)
    assert resp.status_code == 400
    assert message in resp.json()["error"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not json", "must be JSON"),
        ("[]", "JSON object"),
        ('{"hashes": []}', "at least one"),
        ('{"hashes": "' + "0" * 64 + '"}', "at least one"),
        (json.dumps({"hashes": ["0" * 64, 42]}), "hashes[1]"),
        (json.dumps({"hashes": ["0" * 64, "g" * 64]}), "hashes[1]"),
        (json.dumps({"hashes": ["0" * 64] * 1001}), "At most 1000"),
    ],
)
def test_registry_post_rejects_malformed_bodies(client, body, message):
    resp = client.post(LOOKUP, body, content_type="application/json")
    assert resp.status_code == 400
    assert message in resp.json()["error"]


def test_registry_post_batch_of_1000(client, db):
    resp = client.post(
        LOOKUP, {"hashes": [f"{i:064x}" for i in range(1000)]}, content_type="application/json"
    )
    assert resp.status_code == 200
    assert len(resp.json()["results"]) == 1000


def test_registry_is_rate_limited(client, db, settings):
    settings.KILN_REGISTRY_RATE_LIMIT = 3
    codes = [client.get(LOOKUP, {"pdq": "0" * 64}).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    resp = client.get(LOOKUP, {"pdq": "0" * 64})
    assert int(resp["Retry-After"]) >= 1 and "Rate limit" in resp.json()["error"]


def test_openapi_document(client, db):
    doc = client.get("/api/registry/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert set(doc["paths"][LOOKUP]) == {"get", "post"}


@pytest.mark.django_db(transaction=True)
def test_cli_check_against_a_live_server(
    live_server, make_user, tmp_path, django_capture_on_commit_callbacks
):
    from kiln.media.services import media_asset_create
    from kiln.portfolio.services import ImageInput, ProjectInput, project_create, project_publish

    artist = make_user("ana")
    asset = media_asset_create(owner=artist, upload=art_png(seed=82))  # runs inline
    project = project_create(
        owner=artist, data=ProjectInput(title="Dunes", images=[ImageInput(asset.pk, "art")])
    )
    project_publish(user=artist, project=project)
    folder = tmp_path / "crawl"
    folder.mkdir()
    (folder / "stolen.jpg").write_bytes(_mirrored_copy(82))
    (folder / "other.png").write_bytes(art_png(seed=71))
    (folder / "broken.png").write_bytes(b"\x89PNG not really")
    env = {k: val for k, val in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiln.provenance",
            "check",
            str(folder),
            "--server",
            live_server.url,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    lines = {line.split()[0].rsplit("/", 1)[-1]: line for line in out.splitlines()[1:]}
    assert " yes " in lines["stolen.jpg"] and "ana" in lines["stolen.jpg"]
    assert " no " in lines["other.png"]
    assert "ERROR" in lines["broken.png"]
