"""Rendition URLs and responses, the upload endpoint, live status and the picture tag."""

import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template

from kiln.media import signing
from kiln.media.delivery import rendition_url
from kiln.media.models import MediaAsset
from tests.media import images
from tests.media.conftest import files_under


@pytest.fixture
def ready_asset(artist, upload):
    return upload(artist, images.jpeg(700, 500))


@pytest.mark.django_db
def test_rendition_is_served_with_cache_and_type_headers(client, ready_asset):
    for rendition in ready_asset.renditions.all():
        url = rendition_url(rendition)
        assert re.fullmatch(r"/media/r/\d+-[0-9a-f]{20}/[0-9a-f]{40}\.(avif|webp|jpg)", url)
        response = client.get(url)
        assert response.status_code == 200
        body = b"".join(response.streaming_content)
        assert len(body) == rendition.bytes
        assert response["Content-Type"] == f"image/{rendition.format}"
        assert response["X-Content-Type-Options"] == "nosniff"
        cache = response["Cache-Control"]
        assert cache.startswith("public, max-age=") and cache.endswith(", immutable")
        max_age = int(cache.split("max-age=")[1].split(",")[0])
        # The URL lives between half the lifetime and the lifetime; caches never outlive it.
        assert 3.5 * 86400 - 5 <= max_age <= 7 * 86400
        # Revalidation by content hash: a 304 with no body.
        again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304 and again.content == b""


@pytest.mark.django_db
def test_harvested_url_expires_after_the_lifetime(client, ready_asset, settings):
    rendition = ready_asset.renditions.first()
    issued = time.time() - 7 * 86400 - 1
    old = rendition_url(rendition, now=issued)
    assert client.get(old).status_code == 410
    fresh = rendition_url(rendition)
    assert fresh != old and client.get(fresh).status_code == 200
    # Still valid just inside the lifetime window.
    recent = rendition_url(rendition, now=time.time() - 3 * 86400)
    assert client.get(recent).status_code == 200


@pytest.mark.django_db
def test_forged_token_and_unknown_key_are_refused(client, ready_asset):
    rendition = ready_asset.renditions.first()
    url = rendition_url(rendition)
    token = url.split("/")[3]
    window, signature = token.split("-")
    forged = url.replace(token, f"{window}-{'0' * 20}")
    assert client.get(forged).status_code == 410
    future = signing.url_token(rendition.key, now=time.time() + 30 * 86400)
    assert client.get(url.replace(token, future)).status_code == 410
    unknown = "cd" * 20
    signed = signing.url_token(f"{unknown[:2]}/{unknown}.jpg")
    assert client.get(f"/media/r/{signed}/{unknown}.jpg").status_code == 404


@pytest.mark.django_db
def test_lifetime_zero_means_stable_urls(client, ready_asset, settings):
    settings.KILN_MEDIA_URL_LIFETIME = 0
    rendition = ready_asset.renditions.first()
    url = rendition_url(rendition, now=1)
    assert url == rendition_url(rendition)
    response = client.get(url)
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"


@pytest.mark.django_db
def test_originals_are_never_served_even_to_the_owner(client, artist, ready_asset, media_root):
    client.force_login(artist)
    original = ready_asset.original_key
    assert (media_root / "private" / original).is_file()
    name = original.rsplit("/", 1)[-1]
    for path in (
        f"/media/{original}",
        f"/media/private/{original}",
        f"/media/r/{signing.url_token(original)}/{name}",
        f"/media/r/{signing.url_token(original)}/{original}",
    ):
        assert client.get(path).status_code in (404, 410), path
    # Even a signed URL for the original's own key, shaped like a rendition, finds nothing.
    stem = "ef" * 20
    (media_root / "public" / "ef").mkdir(parents=True, exist_ok=True)
    (media_root / "public" / "ef" / f"{stem}.jpg").write_bytes(b"not registered")
    signed = signing.url_token(f"ef/{stem}.jpg")
    assert client.get(f"/media/r/{signed}/{stem}.jpg").status_code == 404
    # Nothing in the JSON status leaks a path to the original either.
    body = client.get(f"/media/{ready_asset.pk}/status").content.decode()
    assert original not in body and name not in body


@pytest.mark.django_db(transaction=True)
def test_upload_endpoint_and_status(client, artist, media_root):
    client.force_login(artist)
    response = client.post(
        "/media/upload", {"file": SimpleUploadedFile("a.png", images.png(), "image/png")}
    )
    assert response.status_code == 201
    payload = response.json()
    assert payload["state"] in ("uploaded", "processing", "ready")
    status = client.get(payload["status_url"]).json()
    assert status["state"] == "ready" and status["id"] == payload["id"]
    fragment = client.get(payload["status_url"], HTTP_HX_REQUEST="true").content.decode()
    assert 'data-state="ready"' in fragment and "<picture" in fragment


@pytest.mark.django_db
def test_upload_endpoint_refusals_are_json_and_leave_nothing(client, artist, media_root):
    client.force_login(artist)
    cases = [
        {"file": SimpleUploadedFile("x.jpg", images.HTML_AS_JPG, "image/jpeg")},
        {"file": SimpleUploadedFile("x.svg", images.SVG_WITH_SCRIPT, "image/svg+xml")},
        {"file": SimpleUploadedFile("empty.png", b"", "image/png")},
        {},
    ]
    for data in cases:
        response = client.post("/media/upload", data)
        assert response.status_code == 400
        assert response.json()["error"]
    assert MediaAsset.objects.count() == 0 and files_under(media_root) == []


@pytest.mark.django_db
def test_upload_needs_login_and_status_is_owner_only(client, ready_asset, make_user):
    response = client.post("/media/upload", {"file": SimpleUploadedFile("a.png", images.png())})
    assert response.status_code == 302 and MediaAsset.objects.count() == 1
    assert client.get(f"/media/{ready_asset.pk}/status").status_code == 302
    client.force_login(make_user("bob"))
    assert client.get(f"/media/{ready_asset.pk}/status").status_code == 404
    assert client.post(f"/media/{ready_asset.pk}/retry").status_code == 404


@pytest.mark.django_db
def test_picture_tag(ready_asset, django_assert_num_queries):
    asset = MediaAsset.objects.prefetch_related("renditions").get(pk=ready_asset.pk)
    template = Template(
        '{% load media_tags %}{% picture asset sizes="(max-width: 700px) 100vw, 700px" alt=alt %}'
    )
    with django_assert_num_queries(0):
        html = template.render(Context({"asset": asset, "alt": 'A "red" <study>'}))
    assert html.index('type="image/avif"') < html.index('type="image/webp"') < html.index("<img")
    assert 'sizes="(max-width: 700px) 100vw, 700px"' in html
    assert 'width="700" height="500"' in html
    assert 'loading="lazy"' in html
    assert 'alt="A &quot;red&quot; &lt;study&gt;"' in html
    assert f'data-color="{asset.dominant_color}"' in html
    assert "data-blurhash=" in html
    assert "style=" not in html and "<script" not in html
    srcset = re.search(r'<source type="image/avif" srcset="([^"]+)"', html).group(1)
    assert [entry.split()[1] for entry in srcset.split(", ")] == ["320w", "640w", "700w"]
    eager = Template("{% load media_tags %}{% picture asset eager=True %}").render(
        Context({"asset": asset})
    )
    assert 'loading="eager"' in eager and 'fetchpriority="high"' in eager


@pytest.mark.django_db
def test_picture_tag_for_animation_and_pending(artist, upload):
    animated = upload(artist, images.animated_webp())
    html = Template("{% load media_tags %}{% picture asset alt='loop' %}").render(
        Context({"asset": animated})
    )
    assert 'type="image/webp"' in html and 'type="image/avif"' not in html
    assert ".jpg" in html.split("<img")[1]  # the first frame, for browsers without WebP
    from kiln.media.services import media_asset_create

    pending = media_asset_create(owner=artist, upload=images.png())
    html = Template("{% load media_tags %}{% picture asset alt='soon' %}").render(
        Context({"asset": pending})
    )
    assert "kiln-picture-pending" in html and 'aria-label="soon"' in html


@pytest.mark.django_db
def test_status_fragment_for_failed_and_processing(client, artist):
    from kiln.media.services import media_asset_create

    client.force_login(artist)
    asset = media_asset_create(owner=artist, upload=images.png())  # not processed yet
    fragment = client.get(f"/media/{asset.pk}/status", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-state="uploaded"' in fragment and 'hx-trigger="every 1s"' in fragment
    MediaAsset.objects.filter(pk=asset.pk).update(
        state=MediaAsset.State.FAILED, failure_reason="We couldn't process this image."
    )
    fragment = client.get(f"/media/{asset.pk}/status", HTTP_HX_REQUEST="true").content.decode()
    assert "We couldn&#x27;t process this image." in fragment
    assert f'hx-post="/media/{asset.pk}/retry"' in fragment and "hx-trigger" not in fragment
    payload = client.post(f"/media/{asset.pk}/retry").json()
    assert payload["state"] == "uploaded" and payload["failure_reason"] == ""


@pytest.mark.django_db
def test_absurd_ids_and_names_are_404_not_500(client, artist):
    client.force_login(artist)
    for path in (
        "/media/99999999999999999999999999/status",
        "/media/0/status",
        "/media/r/999999999999-00000000000000000000/" + "a" * 40 + ".jpg",
        "/media/r/1-00000000000000000000/" + "a" * 40 + ".exe",
        "/media/r/../private/x.jpg",
    ):
        assert client.get(path).status_code in (404, 410), path
    assert client.post("/media/99999999999999999999999999/retry").status_code == 404
