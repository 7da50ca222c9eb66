import pytest
import pyvips

from kiln.shield import services
from kiln.shield.models import WatermarkPreference
from kiln.shield.watermark import apply_watermark, draw_watermark


def flat(width=640, height=400, bands=3, value=(40, 90, 160)):
    return (pyvips.Image.black(width, height, bands=bands) + list(value)[:bands]).cast("uchar")


def corner_means(image):
    w, h = image.width // 3, image.height // 5
    return {
        "top-left": image.crop(0, 0, w, h).avg(),
        "top-right": image.crop(image.width - w, 0, w, h).avg(),
        "bottom-left": image.crop(0, image.height - h, w, h).avg(),
        "bottom-right": image.crop(image.width - w, image.height - h, w, h).avg(),
    }


@pytest.mark.django_db
def test_no_preference_returns_the_same_image(make_user):
    owner = make_user("ana")
    image = flat()
    assert apply_watermark(image, owner=owner) is image
    WatermarkPreference.objects.create(user=owner, enabled=False)
    assert apply_watermark(image, owner=owner) is image


@pytest.mark.django_db
@pytest.mark.parametrize("corner", WatermarkPreference.Corner.values)
def test_watermark_lands_in_the_chosen_corner_only(make_user, corner):
    owner = make_user("ana")
    WatermarkPreference.objects.create(user=owner, enabled=True, corner=corner, opacity=80)
    before = corner_means(flat())
    after = corner_means(apply_watermark(flat(), owner=owner))
    changed = {name for name in before if abs(after[name] - before[name]) > 0.5}
    assert changed == {corner}


@pytest.mark.django_db
def test_opacity_controls_strength(make_user):
    image = flat()
    faint = draw_watermark(image, text="@ana", corner="bottom-right", opacity=0.2)
    strong = draw_watermark(image, text="@ana", corner="bottom-right", opacity=1.0)
    base = image.avg()
    assert 0 < abs(faint.avg() - base) < abs(strong.avg() - base)


def test_alpha_grey_tiny_and_animated_images_never_fail():
    rgba = flat(bands=4, value=(10, 10, 10, 0))
    out = draw_watermark(rgba, text="@ana", corner="top-left", opacity=1.0)
    assert (out.bands, out.format) == (4, "uchar")
    grey = flat(bands=1, value=(200,))
    assert draw_watermark(grey, text="@ana", corner="top-left", opacity=1.0).bands == 1
    tiny = flat(width=6, height=6)
    assert draw_watermark(tiny, text="@ana", corner="top-left", opacity=1.0).avg() == tiny.avg()
    long = draw_watermark(flat(120, 80), text="@" + "x" * 30, corner="top-right", opacity=1.0)
    assert long.width == 120
    frames = flat(200, 600).copy()
    frames.set_type(pyvips.GValue.gint_type, "page-height", 200)
    out = draw_watermark(frames, text="@ana", corner="bottom-left", opacity=1.0)
    per_frame = [out.crop(0, i * 200, 200, 200).avg() for i in range(3)]
    assert per_frame[0] == per_frame[1] == per_frame[2] != frames.crop(0, 0, 200, 200).avg()


@pytest.mark.django_db
def test_settings_page_saves_and_triggers_rebuild(
    client, make_user, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    monkeypatch.setattr(
        "kiln.shield.services.media_assets_rebuild_for_owner",
        lambda *, owner: calls.append(owner.pk),
    )
    owner = make_user("ana")
    client.force_login(owner)
    page = client.get("/settings/protection")
    assert page.status_code == 200 and b"Visible watermark" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/settings/protection", {"enabled": "on", "corner": "top-left", "opacity": "70"}
        )
    assert response.status_code == 302
    preference = WatermarkPreference.objects.get(user=owner)
    assert (preference.enabled, preference.corner, preference.opacity) == (True, "top-left", 70)
    assert calls == [owner.pk]


@pytest.mark.django_db(transaction=True)
def test_change_calls_media_rebuild_on_commit(make_user, monkeypatch):
    calls = []
    monkeypatch.setattr(
        "kiln.shield.services.media_assets_rebuild_for_owner",
        lambda *, owner: calls.append(owner.pk),
    )
    owner = make_user("ana")
    services.watermark_preference_update(user=owner, enabled=True, corner="top-left", opacity=70)
    assert calls == [owner.pk]
    services.watermark_preference_update(user=owner, enabled=True, corner="top-left", opacity=70)
    assert calls == [owner.pk]  # nothing changed, nothing re-rendered
    services.watermark_preference_update(user=owner, enabled=False, corner="top-left", opacity=70)
    assert calls == [owner.pk, owner.pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {"enabled": "on", "corner": "middle", "opacity": "50"},
        {"enabled": "on", "corner": "top-left", "opacity": "5"},
        {"enabled": "on", "corner": "top-left", "opacity": "101"},
        {"enabled": "on", "corner": "top-left", "opacity": "lots"},
        {},
    ],
)
def test_bad_input_changes_nothing(client, make_user, data):
    owner = make_user("ana")
    client.force_login(owner)
    response = client.post("/settings/protection", data)
    assert response.status_code == 200
    assert b"field-error" in response.content or b"required" in response.content.lower()
    assert not WatermarkPreference.objects.filter(user=owner).exists()


def test_service_rejects_bad_values(db, make_user):
    owner = make_user("ana")
    with pytest.raises(ValueError):
        services.watermark_preference_update(user=owner, enabled=True, corner="x", opacity=50)
    with pytest.raises(ValueError):
        services.watermark_preference_update(user=owner, enabled=True, corner="top-left", opacity=0)
    assert not WatermarkPreference.objects.filter(user=owner).exists()


def test_settings_page_needs_login(client, db):
    assert client.get("/settings/protection").status_code == 302


@pytest.mark.django_db
def test_turning_the_watermark_on_rerenders_existing_images(
    client, make_user, django_capture_on_commit_callbacks
):
    """End to end with the media pipeline: the settings page change reaches the public files."""
    from django.core.files.storage import storages

    from kiln.media.models import Rendition
    from kiln.media.services import media_asset_create
    from tests.shield.site import png

    owner = make_user("ana")
    with django_capture_on_commit_callbacks(execute=True):
        asset = media_asset_create(owner=owner, upload=png(1, 640, 400, flat=(40, 90, 160)))

    def corners():
        rendition = Rendition.objects.get(asset=asset, format="jpeg", width=640)
        image = pyvips.Image.new_from_buffer(storages["default"].open(rendition.key).read(), "")
        return corner_means(image)

    before = corners()
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/settings/protection", {"enabled": "on", "corner": "top-right", "opacity": "90"}
        )
    assert response.status_code == 302
    after = corners()
    changed = {name for name in before if abs(after[name] - before[name]) > 0.5}
    assert changed == {"top-right"}
