import pytest

from kiln.insights import counting, services, store

from ..portfolio.conftest import make_asset  # noqa: F401 - the real pipeline, run inline


@pytest.fixture(autouse=True)
def insights_store(tmp_path, monkeypatch):
    """A fresh SQLite pending-counter file per test, in both CI lanes (the Redis store has its
    own tests in test_redis_store.py), and no per-process salt carried over."""
    fresh = store.SqliteViewStore(str(tmp_path / "pending.sqlite3"))
    monkeypatch.setattr(counting, "view_store", lambda: fresh)
    monkeypatch.setattr(services, "view_store", lambda: fresh)
    counting._salts.clear()
    yield fresh
    counting._salts.clear()


@pytest.fixture
def mira(make_user):
    return make_user("mira", display_name="Mira")


@pytest.fixture
def publish(make_asset):  # noqa: F811
    """publish(owner, title) -> a published project with one small image."""
    from kiln.portfolio import services as portfolio
    from kiln.portfolio.services import ImageInput, ProjectInput

    def make(owner, title="Tide", seed=1):
        asset = make_asset(owner, seed=seed)
        data = ProjectInput(title=title, images=[ImageInput(asset_id=asset.pk, alt_text="Sea")])
        draft = portfolio.project_create(owner=owner, data=data)
        return portfolio.project_publish(user=owner, project=draft)

    return make


@pytest.fixture
def work(mira, publish):
    return publish(mira)
