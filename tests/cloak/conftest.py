import numpy as np
import pytest


@pytest.fixture
def models_dir(shared_dir, monkeypatch):
    """Point the cloak at the shared weights (the product itself never reads ../shared)."""
    path = shared_dir / "models"
    monkeypatch.setenv("KILN_MODELS_DIR", str(path))
    return path


@pytest.fixture
def painting():
    """A small procedurally generated "painting": smooth gradient, strokes and a flat sky."""
    rng = np.random.default_rng(7)
    h, w = 96, 128
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.zeros((h, w, 3), np.float32)
    img[..., 0] = 120 + 80 * np.sin(xx / 9.0) * np.cos(yy / 13.0)
    img[..., 1] = 90 + 60 * np.cos((xx + yy) / 11.0)
    img[..., 2] = 160 - yy
    img[:30, :, :] = (140, 180, 230)  # flat sky
    img += rng.normal(0, 6, img.shape)
    img[0, 0] = 0  # extremes, to test clipping at the range ends
    img[0, 1] = 255
    return np.clip(img, 0, 255).astype(np.uint8)


@pytest.fixture
def artist(make_user):
    return make_user("cara")


@pytest.fixture
def png_bytes(painting):
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(painting).save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture
def cloak_settings(settings, models_dir):
    settings.KILN_CLOAK_STEPS = 3  # the real default is 20; three keep tests fast
    settings.KILN_MODELS_DIR = models_dir
    return settings


@pytest.fixture
def uploaded(artist, png_bytes, django_capture_on_commit_callbacks):
    """A processed (ready) media asset of the generated painting."""
    from kiln.media.models import MediaAsset
    from kiln.media.services import media_asset_create

    with django_capture_on_commit_callbacks(execute=True):
        asset = media_asset_create(owner=artist, upload=png_bytes)
    asset = MediaAsset.objects.get(pk=asset.pk)
    assert asset.state == MediaAsset.State.READY
    return asset


@pytest.fixture(autouse=True)
def _one_thread(monkeypatch):
    """One torch thread: on a shared 2-core machine, two threads mostly wait on each other."""
    monkeypatch.setenv("KILN_CLOAK_THREADS", "1")
