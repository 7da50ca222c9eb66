"""Screening on upload through the real media pipeline: holds, policy, appeals, reposts."""

import io

import pytest
import variants as v
from django.core.exceptions import ValidationError
from PIL import Image, ImageOps

from kiln.core.access import AccessDenied
from kiln.core.procedural import artwork
from kiln.provenance import selectors, services
from kiln.provenance.models import (
    Appeal,
    ImageHash,
    RepostMatch,
    Screening,
    TakedownRequest,
)


def _png(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def art_png(seed: int = 3, w: int = 480, h: int = 360) -> bytes:
    return _png(artwork(seed, w, h).convert("RGB"))


def ai_png() -> bytes:
    return v.png_with_text({"parameters": v.WEBUI_PARAMS}, im=artwork(5, 320, 240).convert("RGB"))


def test_ai_upload_is_held_with_its_evidence(artist, upload):
    asset = upload(artist, ai_png())
    s = Screening.objects.get(asset=asset)
    assert (s.verdict, s.state, s.policy) == ("ai", "held", "hold")
    f = s.findings.get()
    assert (f.signal, f.generator) == ("png:parameters", "Stable Diffusion WebUI")
    assert "Steps: 28" in f.evidence
    assert selectors.held_asset_ids(asset_ids=[asset.pk]) == {asset.pk}
    assert asset.state == "ready"  # renditions are still made, just not publishable


def test_human_upload_is_clear_and_hashed(artist, upload):
    asset = upload(artist, art_png())
    s = Screening.objects.get(asset=asset)
    assert (s.verdict, s.state) == ("clean", "clear")
    assert not s.findings.exists()
    assert selectors.held_asset_ids(asset_ids=[asset.pk]) == set()
    kinds = set(ImageHash.objects.filter(asset=asset).values_list("kind", flat=True))
    assert "full" in kinds and len(kinds) >= 5


def test_tiny_images_are_screened_but_not_hashed(artist, upload):
    asset = upload(artist, art_png(w=96, h=64))
    assert Screening.objects.get(asset=asset).state == "clear"
    assert not ImageHash.objects.filter(asset=asset).exists()


@pytest.mark.parametrize(
    ("policy", "state", "held"),
    [("label", "labelled", False), ("allow", "clear", False), ("nonsense", "held", True)],
)
def test_policy_setting(settings, artist, upload, policy, state, held):
    settings.KILN_AI_POLICY = policy
    asset = upload(artist, ai_png())
    assert Screening.objects.get(asset=asset).state == state
    assert bool(selectors.held_asset_ids(asset_ids=[asset.pk])) is held
    if policy == "label":
        assert selectors.ai_labels(asset_ids=[asset.pk]) == {asset.pk: "AI-generated"}


def test_composite_is_held_with_its_own_verdict(artist, upload):
    data = v.jpeg_xmp(v.iptc("compositeWithTrainedAlgorithmicMedia"))
    asset = upload(artist, data)
    s = Screening.objects.get(asset=asset)
    assert (s.verdict, s.state) == ("composite", "held")


def test_appeal_and_staff_release(artist, thief, staff, upload):
    asset = upload(artist, ai_png())
    s = Screening.objects.get(asset=asset)
    with pytest.raises(AccessDenied):
        services.appeal_create(user=thief, screening=s, message="mine")
    with pytest.raises(ValidationError, match="why"):
        services.appeal_create(user=artist, screening=s, message="   ")
    with pytest.raises(ValidationError, match="2000"):
        services.appeal_create(user=artist, screening=s, message="x" * 2001)
    assert not Appeal.objects.exists()
    appeal = services.appeal_create(user=artist, screening=s, message="I painted it in Krita")
    with pytest.raises(ValidationError, match="already waiting"):
        services.appeal_create(user=artist, screening=s, message="again")
    assert appeal in selectors.review_queue()["appeals"]
    with pytest.raises(AccessDenied):
        services.appeal_decide(staff=artist, appeal=appeal, accept=True)
    services.appeal_decide(staff=staff, appeal=appeal, accept=True, note="Process video checks out")
    s.refresh_from_db()
    assert s.state == "released"
    assert selectors.held_asset_ids(asset_ids=[asset.pk]) == set()
    with pytest.raises(ValidationError, match="already been decided"):
        services.appeal_decide(staff=staff, appeal=appeal, accept=False)


def test_rejected_appeal_keeps_the_hold(artist, staff, upload):
    asset = upload(artist, ai_png())
    s = Screening.objects.get(asset=asset)
    appeal = services.appeal_create(user=artist, screening=s, message="please")
    services.appeal_decide(staff=staff, appeal=appeal, accept=False)
    assert selectors.held_asset_ids(asset_ids=[asset.pk]) == {asset.pk}


def test_clear_image_cannot_be_appealed(artist, upload):
    s = Screening.objects.get(asset=upload(artist, art_png()))
    with pytest.raises(ValidationError, match="not held"):
        services.appeal_create(user=artist, screening=s, message="hello")


def _repost_of(seed: int) -> bytes:
    im = artwork(seed, 480, 360).convert("RGB")
    im = ImageOps.mirror(im).crop((20, 10, 470, 350))  # mirrored and cropped
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=75)
    return buf.getvalue()


def test_repost_by_another_artist_is_held_and_original_artist_takes_it_down(
    artist, thief, staff, upload
):
    original = upload(artist, art_png(seed=11))
    unrelated = upload(artist, art_png(seed=12))
    repost = upload(thief, _repost_of(11))
    match = RepostMatch.objects.get(upload=repost)
    assert (match.original_id, match.original_artist_id, match.state) == (
        original.pk,
        artist.pk,
        "pending",
    )
    assert not RepostMatch.objects.filter(original=unrelated).exists()
    assert selectors.held_asset_ids(asset_ids=[repost.pk, original.pk]) == {repost.pk}
    assert list(selectors.repost_matches_for_artist(user=artist)) == [match]
    with pytest.raises(AccessDenied):
        services.repost_match_answer(user=thief, match=match, answer="fine")
    with pytest.raises(ValidationError):
        services.repost_match_answer(user=artist, match=match, answer="maybe")
    services.repost_match_answer(
        user=artist, match=match, answer="takedown", message="My 2023 piece"
    )
    takedown = TakedownRequest.objects.get(match=match)
    assert takedown in selectors.review_queue()["takedowns"]
    with pytest.raises(ValidationError, match="already answered"):
        services.repost_match_answer(user=artist, match=match, answer="fine")
    services.takedown_decide(staff=staff, takedown=takedown, remove=True)
    match.refresh_from_db()
    assert match.state == "removed"
    assert selectors.held_asset_ids(asset_ids=[repost.pk]) == {repost.pk}


def test_original_artist_can_say_its_fine(artist, thief, upload):
    upload(artist, art_png(seed=21))
    repost = upload(thief, _repost_of(21))
    match = RepostMatch.objects.get(upload=repost)
    services.repost_match_answer(user=artist, match=match, answer="fine")
    assert selectors.held_asset_ids(asset_ids=[repost.pk]) == set()


def test_reupload_by_the_same_artist_is_fine(artist, upload):
    upload(artist, art_png(seed=31))
    again = upload(artist, _repost_of(31))
    assert not RepostMatch.objects.filter(upload=again).exists()
    assert selectors.held_asset_ids(asset_ids=[again.pk]) == set()


def test_held_ai_work_is_not_a_repost_source(artist, thief, upload):
    """Only publishable works count as originals: a held AI image protects nothing."""
    upload(
        artist,
        v.png_with_text({"parameters": v.WEBUI_PARAMS}, im=artwork(41, 480, 360).convert("RGB")),
    )
    repost = upload(thief, _repost_of(41))
    assert not RepostMatch.objects.filter(upload=repost).exists()


def test_deleted_original_no_longer_matches(artist, thief, upload):
    from kiln.media.services import media_asset_delete

    original = upload(artist, art_png(seed=51))
    media_asset_delete(asset=original)
    repost = upload(thief, _repost_of(51))
    assert not RepostMatch.objects.filter(upload=repost).exists()


def test_held_asset_ids_query_count(artist, upload, django_assert_num_queries):
    assets = [upload(artist, ai_png()), upload(artist, art_png())]
    with django_assert_num_queries(2):
        held = selectors.held_asset_ids(asset_ids=[a.pk for a in assets])
    assert held == {assets[0].pk}


def test_original_artist_is_notified_even_if_the_reposter_blocked_them(
    artist, thief, upload, client
):
    from kiln.notifications.models import Notification
    from kiln.social.services import block_create

    upload(artist, art_png(seed=21))
    block_create(blocker=thief, blocked=artist)  # hiding from the artist must not hide the theft
    repost = upload(thief, _repost_of(21))
    match = RepostMatch.objects.get(upload=repost)
    notification = Notification.objects.get(recipient=artist, kind="repost_found")
    assert notification.repost_match_id == match.pk and notification.actor == thief
    client.force_login(artist)
    page = client.get("/notifications").content.decode()
    assert "looks like your work" in page
    assert f'href="/provenance/matches/{match.pk}"' in page
