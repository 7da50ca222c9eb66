"""Screening fails closed: an upload whose screening crashed is never rendered or published."""

import pytest

from kiln.core.procedural import artwork_bytes

pytestmark = pytest.mark.django_db


def test_a_crash_in_screening_fails_the_asset_visibly(artist, upload, monkeypatch):
    import kiln.provenance.services as provenance

    def broken_screen(*, asset):
        raise RuntimeError("screening exploded")

    monkeypatch.setattr(provenance, "provenance_screen_asset", broken_screen)
    asset = upload(artist, artwork_bytes(5, 320, 240))
    assert asset.state == "failed"
    assert asset.failure_reason
    assert not asset.renditions.exists()


def test_screening_runs_before_renditions_exist(artist, upload, monkeypatch):
    import kiln.provenance.services as provenance

    seen = []
    real = provenance.provenance_screen_asset

    def spy(*, asset):
        seen.append(asset.renditions.count())
        return real(asset=asset)

    monkeypatch.setattr(provenance, "provenance_screen_asset", spy)
    asset = upload(artist, artwork_bytes(6, 320, 240))
    assert asset.state == "ready"
    assert seen == [0]
