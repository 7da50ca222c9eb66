"""Upload checks in the request, and the hostile corpus: refusal or a correct rendition."""

import pytest
import pyvips
from django.core.exceptions import ValidationError

from kiln.media.models import MediaAsset, Rendition
from kiln.media.services import media_asset_create
from tests.media import images
from tests.media.conftest import files_under

ACCEPTED_NOTE = "Kiln accepts JPEG, PNG, WebP, AVIF, GIF and HEIC"


def assert_refused(owner, data, media_root, match):
    with pytest.raises(ValidationError) as excinfo:
        media_asset_create(owner=owner, upload=data)
    message = " ".join(excinfo.value.messages)
    assert match.lower() in message.lower(), message
    assert MediaAsset.objects.count() == 0
    assert Rendition.objects.count() == 0
    assert files_under(media_root) == []
    return message


REFUSALS = [
    ("zero bytes", lambda: b"", "empty"),
    ("truncated jpeg", images.truncated_jpeg, "damaged or incomplete"),
    ("1x100000 png", lambda: images.png_header_only(1, 100_000), "each side must be"),
    ("30000x30000 png bomb", lambda: images.png_header_only(30_000, 30_000), "900 megapixels"),
    ("svg with script", lambda: images.SVG_WITH_SCRIPT, ACCEPTED_NOTE),
    ("html renamed .jpg", lambda: images.HTML_AS_JPG, ACCEPTED_NOTE),
    ("gif with 10,000 frames", lambda: images.gif_with_frames(10_000), "10,000 frames"),
    ("pdf", lambda: images.PDF, ACCEPTED_NOTE),
    ("psd", lambda: images.PSD, ACCEPTED_NOTE),
    ("tiff", images.tiff, ACCEPTED_NOTE),
    ("gif+html polyglot", images.gif_html_polyglot, "more than an image"),
    ("jpeg header then garbage", lambda: b"\xff\xd8\xff\xe0" + b"\x13" * 500, "damaged"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("name,make,match", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_hostile_file_is_refused_and_leaves_nothing(artist, media_root, name, make, match):
    assert_refused(artist, make(), media_root, match)


@pytest.mark.django_db
def test_limits_are_settings(artist, media_root, settings):
    settings.KILN_MEDIA_MAX_BYTES = 1000
    message = assert_refused(artist, images.jpeg(200, 200), media_root, "over the")
    assert "MB limit" in message
    settings.KILN_MEDIA_MAX_BYTES = 50 * 1024 * 1024
    settings.KILN_MEDIA_MAX_PIXELS = 100 * 100
    assert_refused(artist, images.png(101, 100), media_root, "megapixels")
    settings.KILN_MEDIA_MAX_PIXELS = 100_000_000
    settings.KILN_MEDIA_MAX_FRAMES = 2
    assert_refused(artist, images.animated_gif(frames=3), media_root, "3 frames")


@pytest.mark.django_db
def test_file_name_and_content_type_are_ignored(artist):
    from django.core.files.uploadedfile import SimpleUploadedFile

    # A PNG called .jpg with a JPEG content type is stored as what it is.
    upload = SimpleUploadedFile("photo.jpg", images.png(), content_type="image/jpeg")
    asset = media_asset_create(owner=artist, upload=upload)
    assert asset.original_format == "png"
    assert asset.original_key.endswith(".png")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fmt,make",
    [
        ("jpeg", images.jpeg),
        ("png", images.png),
        ("webp", images.webp),
        ("gif", images.gif),
        ("avif", images.avif),
        ("heic", images.heic),
    ],
)
def test_accepted_formats_become_ready(artist, upload, media_root, fmt, make):
    asset = upload(artist, make())
    assert asset.original_format == fmt
    assert asset.state == MediaAsset.State.READY, asset.failure_reason
    formats = set(asset.renditions.values_list("format", flat=True))
    assert formats == {"avif", "webp", "jpeg"}
    # The original sits in private storage under a random name, the renditions in public.
    assert (media_root / "private" / asset.original_key).is_file()
    assert "ana" not in asset.original_key
    for rendition in asset.renditions.all():
        assert (media_root / "public" / rendition.key).is_file()


@pytest.mark.django_db
def test_cmyk_jpeg_becomes_srgb_with_right_colour(artist, upload):
    asset = upload(artist, images.cmyk_jpeg())
    assert asset.state == MediaAsset.State.READY, asset.failure_reason
    jpeg = asset.renditions.get(format="jpeg")
    from django.core.files.storage import storages

    image = pyvips.Image.new_from_buffer(storages["default"].open(jpeg.key).read(), "")
    assert image.bands == 3 and image.interpretation == "srgb"
    r, g, b = (image[i].avg() for i in range(3))
    assert r < 120 and g > 130 and b > 170, (r, g, b)  # cyan stays cyan


@pytest.mark.django_db
def test_16_bit_png_becomes_8_bit(artist, upload):
    asset = upload(artist, images.png_16bit())
    assert asset.state == MediaAsset.State.READY, asset.failure_reason
    from django.core.files.storage import storages

    png = asset.renditions.get(format="jpeg")
    image = pyvips.Image.new_from_buffer(storages["default"].open(png.key).read(), "")
    assert image.format == "uchar"
    assert abs(image[0].avg() - 40000 / 257) < 6


@pytest.mark.django_db
def test_animated_webp_stays_animated(artist, upload):
    asset = upload(artist, images.animated_webp(frames=4))
    assert asset.state == MediaAsset.State.READY, asset.failure_reason
    assert asset.is_animated and asset.frame_count == 4
    assert set(asset.renditions.values_list("format", flat=True)) == {"webp", "jpeg"}
    from django.core.files.storage import storages

    for rendition in asset.renditions.filter(format="webp"):
        data = storages["default"].open(rendition.key).read()
        image = pyvips.Image.new_from_buffer(data, "", n=-1)
        assert image.get("n-pages") == 4
        assert image.get("page-height") == 60


@pytest.mark.django_db
def test_animated_gif_stays_animated(artist, upload):
    asset = upload(artist, images.animated_gif(frames=3))
    assert asset.is_animated and asset.frame_count == 3
    assert asset.state == MediaAsset.State.READY
    from django.core.files.storage import storages

    webp = asset.renditions.get(format="webp")
    image = pyvips.Image.new_from_buffer(storages["default"].open(webp.key).read(), "", n=-1)
    assert image.get("n-pages") == 3 and image.get("delay") == [100, 100, 100]


@pytest.mark.django_db
def test_embedded_profile_is_converted_to_srgb(artist, upload):
    data = images.display_p3_jpeg(srgb=(200, 60, 40))
    source = pyvips.Image.new_from_buffer(data, "")
    assert "icc-profile-data" in source.get_fields()
    assert abs(source[0].avg() - 200) > 8  # the stored numbers differ from the sRGB ones
    asset = upload(artist, data)
    from django.core.files.storage import storages

    jpeg = asset.renditions.get(format="jpeg")
    image = pyvips.Image.new_from_buffer(storages["default"].open(jpeg.key).read(), "")
    assert "icc-profile-data" not in image.get_fields()
    for band, expected in zip(range(3), (200, 60, 40), strict=True):
        assert abs(image[band].avg() - expected) < 6, (band, image[band].avg())


@pytest.mark.django_db
@pytest.mark.parametrize("name,make,match", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_hostile_file_through_http_is_a_400_never_a_500(
    client, artist, media_root, name, make, match
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(artist)
    upload = SimpleUploadedFile("art.jpg", make(), content_type="image/jpeg")
    response = client.post("/media/upload", {"file": upload})
    assert response.status_code == 400
    assert match.lower() in response.json()["error"].lower()
    assert MediaAsset.objects.count() == 0 and files_under(media_root) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "make",
    [
        lambda: images.jpeg(300, 200),
        lambda: images.png(300, 200),
        lambda: images.webp(300, 200),
        lambda: images.gif(300, 200),
        lambda: images.avif(300, 200),
        lambda: images.heic(300, 200),
        lambda: images.animated_webp(),
    ],
    ids=["jpeg", "png", "webp", "gif", "avif", "heic", "animated-webp"],
)
@pytest.mark.parametrize("cut", [0.3, 0.7])
def test_every_format_cut_short_is_refused(artist, media_root, make, cut):
    data = make()
    with pytest.raises(ValidationError) as excinfo:
        media_asset_create(owner=artist, upload=data[: int(len(data) * cut)])
    message = " ".join(excinfo.value.messages)
    assert "damaged or incomplete" in message or "isn't supported" in message, message
    assert MediaAsset.objects.count() == 0 and files_under(media_root) == []


def test_markup_spelled_by_chance_inside_pixel_data_is_not_a_polyglot(artist, upload):
    """Procedural art 62 at 1024x768 compresses to a JPEG whose scan data happens to contain
    the bytes "<SvG" 68 KB in: a real image, which must be accepted."""
    from kiln.core.procedural import artwork_bytes
    from kiln.media.validation import contains_active_content

    data = artwork_bytes(62, 1024, 768)
    assert b"<svg" in data.lower()  # the coincidence this test is about
    assert not contains_active_content(data)
    assert upload(artist, data).state == "ready"


@pytest.mark.parametrize(
    "payload",
    [b"<svg onload=alert(1)>", b"<html><body>x</body></html>", b"%PDF-1.7"],
)
def test_markup_at_the_head_or_tail_is_a_polyglot(payload):
    from kiln.core.procedural import artwork_bytes
    from kiln.media.validation import contains_active_content

    image = artwork_bytes(3, 200, 150)
    assert contains_active_content(image + payload)
    assert contains_active_content(image[:20] + payload + image[20:])
    assert not contains_active_content(image)
