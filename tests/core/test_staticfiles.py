"""Static URLs come from the manifest once per process, then from memory."""

import json

import pytest

from kiln.core.staticfiles import CachedURLManifestStaticFilesStorage


@pytest.fixture
def storage(tmp_path, settings):
    settings.STATIC_URL = "/static/"
    (tmp_path / "staticfiles.json").write_text(
        json.dumps({"version": "1.1", "paths": {"kiln.css": "kiln.0123abcd.css"}, "hash": "x"})
    )
    return CachedURLManifestStaticFilesStorage(location=tmp_path, base_url="/static/")


def test_the_hashed_url_is_looked_up_once(storage, monkeypatch):
    assert storage.url("kiln.css") == "/static/kiln.0123abcd.css"
    looked_up = []
    original = CachedURLManifestStaticFilesStorage.stored_name
    monkeypatch.setattr(
        CachedURLManifestStaticFilesStorage,
        "stored_name",
        lambda self, name: looked_up.append(name) or original(self, name),
    )
    assert storage.url("kiln.css") == "/static/kiln.0123abcd.css"
    assert looked_up == []


def test_a_name_missing_from_the_manifest_still_raises_every_time(storage):
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("missing.css")
