"""The JSON timelines' statuses carry Mastodon MediaAttachments: URLs that serve the image,
alt text, blurhash, size and focus; nothing for an image held for review."""

import hashlib
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from kiln.media.models import MediaAsset, Rendition
from kiln.posts import services
from kiln.posts.cards import post_statuses

pytestmark = pytest.mark.django_db


def _add_rendition(asset, fmt, width, height):
    return Rendition.objects.create(
        asset=asset,
        format=fmt,
        width=width,
        height=height,
        key=f"r/{asset.pk}-{fmt}-{width}",
        bytes=1,
    )


def _servable_rendition(asset, width=64):
    """A rendition stored as the pipeline stores them: named by the hash of its bytes."""
    out = io.BytesIO()
    Image.new("RGB", (width, width * 3 // 4), (200, 80, 40)).save(out, "JPEG")
    data = out.getvalue()
    stem = hashlib.sha1(data).hexdigest()  # noqa: S324 - a name, as the pipeline's
    key = storages["default"].save(f"{stem[:2]}/{stem}.jpg", ContentFile(data))
    return Rendition.objects.create(
        asset=asset, format="jpeg", width=width, height=width * 3 // 4, key=key, bytes=len(data)
    )


def test_a_status_lists_its_images_in_order_with_urls_that_serve_them(ana, ben, make_asset, client):
    first, second = make_asset(ana), make_asset(ana, color=(10, 10, 200))
    served = _servable_rendition(first)
    MediaAsset.objects.filter(pk=first.pk).update(
        blurhash="LEHV6nWB2yk8", focus_x=0.5, focus_y=-0.25
    )
    post = services.post_create(
        author=ana, text="two tiles", attachments=[(first, "A red tile"), (second, "A blue tile")]
    )
    [status] = post_statuses([post.pk], ben, hidden=set())
    media = status["media_attachments"]
    assert [m["description"] for m in media] == ["A red tile", "A blue tile"]
    red = media[0]
    assert red["type"] == "image" and red["blurhash"] == "LEHV6nWB2yk8"
    assert red["meta"]["focus"] == {"x": 0.5, "y": -0.25}
    assert red["meta"]["original"] == {"width": 32, "height": 24, "size": "32x24", "aspect": 1.3333}
    response = client.get(red["url"])
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == storages["default"].open(served.key).read()
    assert red["preview_url"] == red["url"]  # none is 640 px wide or more: the largest


def test_the_largest_rendition_is_the_url_and_one_near_640_the_preview(ana, ben, make_asset):
    asset = make_asset(ana)
    for width in (400, 800, 1600):
        _add_rendition(asset, "jpeg", width, width * 3 // 4)
    _add_rendition(asset, "avif", 3200, 2400)  # not a format every client reads
    post = services.post_create(author=ana, text="sizes", attachments=[(asset, "a tile")])
    [media] = post_statuses([post.pk], ben, hidden=set())[0]["media_attachments"]
    assert media["url"].endswith(f"/{asset.pk}-jpeg-1600")
    assert media["preview_url"].endswith(f"/{asset.pk}-jpeg-800")
    assert media["meta"]["small"]["width"] == 800


def test_an_animated_image_plays_as_webp_with_a_still_preview(ana, ben, make_asset):
    asset = make_asset(ana)
    MediaAsset.objects.filter(pk=asset.pk).update(is_animated=True)
    _add_rendition(asset, "webp", 640, 480)
    post = services.post_create(author=ana, text="loop", attachments=[(asset, "a tile")])
    [media] = post_statuses([post.pk], ben, hidden=set())[0]["media_attachments"]
    assert media["url"].endswith(f"/{asset.pk}-webp-640")
    assert media["preview_url"] is not None and "webp" not in media["preview_url"]


def test_an_image_still_processing_is_listed_without_urls(ana, ben, make_asset):
    asset = make_asset(ana)
    post = services.post_create(author=ana, text="soon", attachments=[(asset, "kiln")])
    MediaAsset.objects.filter(pk=asset.pk).update(state=MediaAsset.State.PROCESSING)
    [media] = post_statuses([post.pk], ben, hidden=set())[0]["media_attachments"]
    assert media["url"] is None and media["preview_url"] is None
    assert media["description"] == "kiln"


def test_an_image_held_for_review_is_left_out(ana, ben, make_asset):
    from kiln.provenance.models import Screening

    held, shown = make_asset(ana), make_asset(ana)
    post = services.post_create(author=ana, text="two", attachments=[(held, "h"), (shown, "s")])
    Screening.objects.filter(asset__in=[held, shown]).delete()
    Screening.objects.create(asset=held, state=Screening.State.HELD)
    media = post_statuses([post.pk], ana, hidden=set())[0]["media_attachments"]
    assert [m["description"] for m in media] == ["s"]  # its author sees the rest
    assert post_statuses([post.pk], ben, hidden=set()) == []  # nobody else sees the post


def test_a_repost_carries_the_images_on_its_original_as_mastodon_does(ana, ben, make_asset):
    post = services.post_create(author=ana, text="art", attachments=[(make_asset(ana), "x")])
    repost = services.post_reblog(user=ben, post=post)
    [status] = post_statuses([repost.pk], ana, hidden=set())
    assert status["media_attachments"] == []
    assert [m["description"] for m in status["reblog"]["media_attachments"]] == ["x"]


def test_the_json_home_page_costs_the_same_queries_for_10_and_40_posts(
    ana, make_asset, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the author's own timeline
        for i in range(40):
            services.post_create(
                author=ana, text=f"post {i}", attachments=[(make_asset(ana), "a tile")]
            )
    client.force_login(ana)
    counts = []
    for limit in (10, 40):
        client.get(f"/?limit={limit}&format=json")  # prepared statements in place
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/?limit={limit}&format=json")
        items = response.json()["items"]
        assert len(items) == limit and all(len(s["media_attachments"]) == 1 for s in items)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_page_without_images_reads_no_attachments(
    ana, make_asset, client, django_capture_on_commit_callbacks
):
    client.force_login(ana)

    def json_page_queries():
        client.get("/?limit=10&format=json")  # prepared statements in place
        with CaptureQueriesContext(connection) as queries:
            client.get("/?limit=10&format=json")
        return [q["sql"] for q in queries.captured_queries]

    with django_capture_on_commit_callbacks(execute=True):
        services.post_create(author=ana, text="words only")
    text_only = json_page_queries()
    reads_attachments = [s for s in text_only if s.startswith('SELECT "posts_postattachment"')]
    assert reads_attachments == []
    with django_capture_on_commit_callbacks(execute=True):
        services.post_create(author=ana, text="a tile", attachments=[(make_asset(ana), "a tile")])
    with_images = json_page_queries()
    assert len(with_images) == len(text_only) + 2  # the attachments, then their renditions
    assert any(s.startswith('SELECT "posts_postattachment"') for s in with_images)
