"""Project writes: drafts, publishing rules, edits, deletes, ownership and bad input."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kiln.media.models import MediaAsset, Rendition
from kiln.portfolio import services
from kiln.portfolio.models import Project, ProjectImage, ProjectTag
from kiln.portfolio.services import ImageInput, ProjectInput

pytestmark = pytest.mark.django_db


def _data(assets, **overrides) -> ProjectInput:
    values = {
        "title": "Harbour studies",
        "images": [ImageInput(asset_id=a.pk, alt_text=f"Study {i}") for i, a in enumerate(assets)],
    }
    values.update(overrides)
    return ProjectInput(**values)


def _snapshot(project: Project) -> tuple:
    project.refresh_from_db()
    return (
        project.title,
        project.description,
        project.state,
        project.cover_id,
        project.edited_at,
        list(project.images.values_list("asset_id", "position", "alt_text")),
        sorted(project.labels.values_list("kind", "slug")),
    )


def test_create_draft_with_images_labels_and_cover(artist, make_asset):
    assets = [make_asset(artist, seed=i) for i in range(3)]
    project = services.project_create(
        owner=artist,
        data=_data(
            assets,
            cover_asset_id=assets[1].pk,
            fields=["illustration"],
            categories=["landscapes", "seascapes"],
            software=["procreate", " PHOTOSHOP", "My Own Tool"],
            mediums=["oil", "Watercolor"],
            tags=["#Harbour", "boats", "boats", "night sky"],
        ),
    )
    assert project.state == Project.State.DRAFT
    assert [i.asset_id for i in project.images.all()] == [a.pk for a in assets]
    assert project.cover.asset_id == assets[1].pk
    labels = {(t.kind, t.name) for t in project.labels.all()}
    assert ("software", "Procreate") in labels
    assert ("software", "Adobe Photoshop") in labels
    assert ("software", "My Own Tool") in labels
    assert ("medium", "Oil paint") in labels
    assert ("medium", "Watercolour") in labels
    assert {n for k, n in labels if k == "tag"} == {"harbour", "boats", "night-sky"}
    assert ("category", "Seascapes") in labels
    assert ("field", "Illustration") in labels


def test_new_projects_go_first_in_the_portfolio(artist, make_asset):
    first = services.project_create(owner=artist, data=_data([make_asset(artist, seed=1)]))
    second = services.project_create(owner=artist, data=_data([make_asset(artist, seed=2)]))
    ordered = list(Project.objects.filter(owner=artist).order_by("position"))
    assert ordered == [second, first]


def test_publish_needs_a_title_and_an_image(artist, make_asset):
    untitled = services.project_create(owner=artist, data=_data([make_asset(artist)], title=" "))
    with pytest.raises(ValidationError, match="Add a title"):
        services.project_publish(user=artist, project=untitled)
    empty = services.project_create(owner=artist, data=ProjectInput(title="Nothing yet"))
    with pytest.raises(ValidationError, match="at least one image"):
        services.project_publish(user=artist, project=empty)
    assert not Project.objects.filter(state=Project.State.PUBLISHED).exists()


def test_publish_waits_for_processing(artist, make_asset):
    pending = make_asset(artist, process=False)
    assert pending.state == MediaAsset.State.UPLOADED
    project = services.project_create(owner=artist, data=_data([pending]))
    with pytest.raises(ValidationError, match="finished processing"):
        services.project_publish(user=artist, project=project)
    project.refresh_from_db()
    assert project.state == Project.State.DRAFT


def test_publish_respects_a_provenance_hold(artist, make_asset, monkeypatch):
    asset = make_asset(artist)
    project = services.project_create(owner=artist, data=_data([asset]))

    monkeypatch.setattr(services, "held_asset_ids", lambda *, asset_ids: {asset.pk})
    with pytest.raises(ValidationError, match="held for review"):
        services.project_publish(user=artist, project=project)
    project.refresh_from_db()
    assert not project.is_published


def test_publish_waits_for_a_requested_cloak(artist, make_asset, monkeypatch):
    asset = make_asset(artist)
    project = services.project_create(owner=artist, data=_data([asset]))
    monkeypatch.setattr(services, "cloak_blocks_publication", lambda *, asset_ids: {asset.pk})
    with pytest.raises(ValidationError, match="being cloaked"):
        services.project_publish(user=artist, project=project)


def test_cloak_choice_is_handed_to_the_cloak_app(artist, make_asset, monkeypatch):
    calls = []

    def record(*, user, project):
        calls.append((user, project.cloak_requested, project.cloak_intensity))

    monkeypatch.setattr(services, "cloak_sync_project", record)
    asset = make_asset(artist)
    project = services.project_create(
        owner=artist, data=_data([asset], cloak_requested=True, cloak_intensity="high")
    )
    assert calls == [(artist, True, "high")]
    services.project_update(user=artist, project=project, data=_data([asset]))
    assert calls[-1] == (artist, False, "default")


def test_publish_and_edit_marks_edited(artist, make_asset):
    assets = [make_asset(artist, seed=i) for i in range(2)]
    project = services.project_create(owner=artist, data=_data(assets))
    project = services.project_publish(user=artist, project=project)
    assert project.published_at is not None and project.edited_at is None
    # Saving the same content is not an edit.
    services.project_update(user=artist, project=project, data=_data(assets))
    project.refresh_from_db()
    assert project.edited_at is None
    services.project_update(
        user=artist, project=project, data=_data(list(reversed(assets)), title="Harbour at dusk")
    )
    project.refresh_from_db()
    assert project.edited_at is not None
    assert project.title == "Harbour at dusk"
    assert [i.asset_id for i in project.images.all()] == [assets[1].pk, assets[0].pk]


def test_published_project_cannot_lose_its_title_or_all_images(artist, make_asset):
    asset = make_asset(artist)
    project = services.project_create(owner=artist, data=_data([asset]))
    services.project_publish(user=artist, project=project)
    before = _snapshot(project)
    with pytest.raises(ValidationError):
        services.project_update(user=artist, project=project, data=_data([asset], title=""))
    with pytest.raises(ValidationError):
        services.project_update(user=artist, project=project, data=_data([]))
    assert _snapshot(project) == before
    assert MediaAsset.objects.filter(pk=asset.pk).exists()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"description": "x" * 5001}, "description"),
        ({"title": "t" * 201}, "title"),
        ({"categories": ["not-a-category"]}, "categories"),
        ({"fields": ["basket-weaving"]}, "fields_of_work"),
        ({"tags": ["<script>"]}, "tags"),
        ({"software": ["x" * 41]}, "software"),
        ({"cloak_intensity": "max"}, "cloak_intensity"),
    ],
)
def test_bad_input_changes_nothing(artist, make_asset, overrides, field):
    asset = make_asset(artist)
    project = services.project_create(owner=artist, data=_data([asset]))
    before = _snapshot(project)
    with pytest.raises(ValidationError) as caught:
        services.project_update(user=artist, project=project, data=_data([asset], **overrides))
    assert field in caught.value.message_dict
    assert _snapshot(project) == before
    with pytest.raises(ValidationError):
        services.project_create(owner=artist, data=_data([], **overrides))
    assert Project.objects.count() == 1


def test_description_of_exactly_5000_is_fine(artist, make_asset):
    project = services.project_create(
        owner=artist, data=_data([make_asset(artist)], description="y" * 5000)
    )
    assert len(project.description) == 5000


def test_alt_text_over_1500_is_refused(artist, make_asset):
    asset = make_asset(artist)
    with pytest.raises(ValidationError) as caught:
        services.project_create(
            owner=artist,
            data=ProjectInput(
                title="x", images=[ImageInput(asset_id=asset.pk, alt_text="a" * 1501)]
            ),
        )
    assert "alt_text" in caught.value.message_dict
    assert not Project.objects.exists()
    ok = services.project_create(
        owner=artist,
        data=ProjectInput(title="x", images=[ImageInput(asset_id=asset.pk, alt_text="a" * 1500)]),
    )
    assert ok.images.get().alt_text == "a" * 1500


def test_more_than_twenty_images_is_refused(artist, make_asset):
    # Twenty-one unprocessed uploads: the count check comes before any asset is touched.
    assets = [make_asset(artist, seed=i, process=False) for i in range(21)]
    with pytest.raises(ValidationError, match="at most 20 images"):
        services.project_create(owner=artist, data=_data(assets))
    assert not Project.objects.exists() and not ProjectImage.objects.exists()
    project = services.project_create(owner=artist, data=_data(assets[:20]))
    assert project.images.count() == 20


def test_someone_elses_asset_is_refused(artist, other, make_asset):
    theirs = make_asset(other)
    mine = make_asset(artist, seed=2)
    with pytest.raises(PermissionDenied, match="uploaded"):
        services.project_create(owner=artist, data=_data([mine, theirs]))
    assert not Project.objects.exists()
    project = services.project_create(owner=artist, data=_data([mine]))
    before = _snapshot(project)
    with pytest.raises(PermissionDenied):
        services.project_update(user=artist, project=project, data=_data([mine, theirs]))
    assert _snapshot(project) == before
    assert MediaAsset.objects.get(pk=theirs.pk).owner == other


def test_an_asset_can_only_be_in_one_project(artist, make_asset):
    asset = make_asset(artist)
    services.project_create(owner=artist, data=_data([asset]))
    with pytest.raises(ValidationError, match="already used"):
        services.project_create(owner=artist, data=_data([asset]))
    assert Project.objects.count() == 1


def test_nonexistent_asset_id_is_refused(artist):
    with pytest.raises(PermissionDenied):
        services.project_create(
            owner=artist, data=ProjectInput(title="x", images=[ImageInput(asset_id=12345)])
        )


def test_cover_must_be_one_of_the_images(artist, make_asset):
    a, b = make_asset(artist, seed=1), make_asset(artist, seed=2)
    with pytest.raises(ValidationError, match="cover"):
        services.project_create(owner=artist, data=_data([a], cover_asset_id=b.pk))


def test_other_users_cannot_touch_a_project(artist, other, make_asset):
    assets = [make_asset(artist, seed=i) for i in range(2)]
    project = services.project_create(owner=artist, data=_data(assets))
    image_ids = list(project.images.values_list("pk", flat=True))
    before = _snapshot(project)
    for call in (
        lambda: services.project_update(user=other, project=project, data=_data([], title="Mine")),
        lambda: services.project_publish(user=other, project=project),
        lambda: services.project_delete(user=other, project=project),
        lambda: services.project_images_reorder(
            user=other, project=project, image_ids=list(reversed(image_ids))
        ),
        lambda: services.project_set_cover(user=other, project=project, image_id=image_ids[1]),
        lambda: services.portfolio_reorder(user=other, project_ids=[project.pk]),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert _snapshot(project) == before
    assert MediaAsset.objects.filter(pk__in=[a.pk for a in assets]).count() == 2


def test_reorder_images_and_set_cover(artist, make_asset):
    assets = [make_asset(artist, seed=i) for i in range(3)]
    project = services.project_create(owner=artist, data=_data(assets))
    ids = list(project.images.values_list("pk", flat=True))
    services.project_images_reorder(
        user=artist, project=project, image_ids=[ids[2], ids[0], ids[1]]
    )
    assert list(project.images.values_list("pk", flat=True)) == [ids[2], ids[0], ids[1]]
    with pytest.raises(ValidationError):
        services.project_images_reorder(user=artist, project=project, image_ids=ids[:2])
    services.project_set_cover(user=artist, project=project, image_id=ids[2])
    project.refresh_from_db()
    assert project.cover_id == ids[2]


def test_set_cover_refuses_an_image_of_another_project(artist, other, make_asset):
    project = services.project_create(owner=artist, data=_data([make_asset(artist)]))
    theirs = services.project_create(owner=other, data=_data([make_asset(other, seed=3)]))
    with pytest.raises(ValidationError):
        services.project_set_cover(user=artist, project=project, image_id=theirs.images.get().pk)
    project.refresh_from_db()
    assert project.cover_id is None


def test_portfolio_reorder_and_move(artist, other, make_asset):
    projects = [
        services.project_create(owner=artist, data=_data([make_asset(artist, seed=i)]))
        for i in range(3)
    ]
    order = [projects[0].pk, projects[2].pk, projects[1].pk]
    services.portfolio_reorder(user=artist, project_ids=order)
    assert (
        list(Project.objects.filter(owner=artist).order_by("position").values_list("pk", flat=True))
        == order
    )
    services.portfolio_move(user=artist, project=projects[1], offset=-1)
    assert list(
        Project.objects.filter(owner=artist).order_by("position").values_list("pk", flat=True)
    ) == [projects[0].pk, projects[1].pk, projects[2].pk]
    with pytest.raises(ValidationError):
        services.portfolio_reorder(user=artist, project_ids=order[:2])
    theirs = services.project_create(owner=other, data=_data([make_asset(other, seed=9)]))
    with pytest.raises(PermissionDenied):
        services.portfolio_reorder(user=artist, project_ids=[*order, theirs.pk])


def test_removing_an_image_deletes_its_files(
    artist, make_asset, files_under, django_capture_on_commit_callbacks
):
    keep, drop = make_asset(artist, seed=1), make_asset(artist, seed=2)
    project = services.project_create(owner=artist, data=_data([keep, drop]))
    drop_files = [drop.original_key, *drop.renditions.values_list("key", flat=True)]
    assert len(drop_files) > 1
    with django_capture_on_commit_callbacks(execute=True):
        services.project_update(user=artist, project=project, data=_data([keep]))
    assert not MediaAsset.objects.filter(pk=drop.pk).exists()
    remaining = files_under()
    assert not any(
        remaining_file.endswith(key) for key in drop_files for remaining_file in remaining
    )
    assert any(f.endswith(keep.original_key) for f in remaining)


def test_delete_leaves_no_file_behind(
    artist, other, make_asset, files_under, django_capture_on_commit_callbacks
):
    bystander = make_asset(other, seed=7)
    bystander_files = files_under()
    assets = [make_asset(artist, seed=i) for i in range(3)]
    project = services.project_create(
        owner=artist, data=_data(assets, tags=["sea"], software=["krita"])
    )
    services.project_publish(user=artist, project=project)
    assert len(files_under()) > len(bystander_files) + 3  # originals and renditions exist
    with django_capture_on_commit_callbacks(execute=True):
        services.project_delete(user=artist, project=project)
    assert files_under() == bystander_files
    assert not Project.objects.exists()
    assert not ProjectImage.objects.exists() and not ProjectTag.objects.exists()
    assert list(MediaAsset.objects.all()) == [bystander]
    assert not Rendition.objects.exclude(asset=bystander).exists()


def test_deleting_the_account_deletes_its_projects(artist, make_asset):
    asset = make_asset(artist)
    services.project_create(owner=artist, data=_data([asset]))
    with pytest.raises(Exception, match="restricted"):
        MediaAsset.objects.get(pk=asset.pk).delete()  # not on its own, while a project uses it
    artist.delete()
    assert not Project.objects.exists() and not MediaAsset.objects.exists()
