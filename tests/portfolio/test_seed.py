"""seed_demo's portfolio hook: published projects through the real pipeline, idempotent."""

import io

import pytest

from kiln.media.models import MediaAsset
from kiln.portfolio import seed
from kiln.portfolio.models import Project

pytestmark = pytest.mark.django_db


def test_seed_projects_publishes_two_to_four_each_and_is_idempotent(make_user, monkeypatch):
    monkeypatch.setattr(seed, "SIZES", [(120, 90), (84, 112)])  # small images keep it fast
    artists = [
        make_user("mira", fields_of_work=["illustration"]),
        make_user("theo", fields_of_work=["painting"]),
    ]
    out = io.StringIO()
    seed.seed_projects(artists=artists, stdout=out)
    assert "created" in out.getvalue()
    for artist in artists:
        projects = Project.objects.filter(owner=artist)
        assert 2 <= projects.count() <= 4
        assert all(p.is_published and p.title and p.cover_id for p in projects)
    assert MediaAsset.objects.exclude(state=MediaAsset.State.READY).count() == 0
    assert all(a.renditions.exists() for a in MediaAsset.objects.all())
    counts = (Project.objects.count(), MediaAsset.objects.count())
    seed.seed_projects(artists=artists, stdout=io.StringIO())
    assert (Project.objects.count(), MediaAsset.objects.count()) == counts


def test_seed_restarts_a_draft_left_by_an_interrupted_run(make_user, monkeypatch):
    monkeypatch.setattr(seed, "SIZES", [(120, 90)])
    artist = make_user("mira", fields_of_work=["illustration"])
    from kiln.portfolio import services

    services.project_create(owner=artist, data=services.ProjectInput(title=seed.TEMPLATES[0][0]))
    seed.seed_projects(artists=[artist], stdout=io.StringIO())
    assert Project.objects.filter(title=seed.TEMPLATES[0][0], state="published").count() == 1
