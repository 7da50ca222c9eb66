"""Portfolio pages: profile tab, project page, listings, editor, delete; privacy of drafts."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kiln.media.models import MediaAsset
from kiln.portfolio import services
from kiln.portfolio.models import Project
from kiln.portfolio.services import ImageInput, ProjectInput

pytestmark = pytest.mark.django_db


def _project(owner, assets, *, publish=True, **fields):
    data = ProjectInput(
        title=fields.pop("title", "Tidal"),
        images=[ImageInput(asset_id=a.pk, alt_text="A grey sea") for a in assets],
        **fields,
    )
    project = services.project_create(owner=owner, data=data)
    if publish:
        project = services.project_publish(user=owner, project=project)
    return project


def _url(project):
    return f"/@{project.owner.username}/projects/{project.pk}"


def test_project_page_public_and_draft_private(client, artist, other, make_asset):
    published = _project(artist, [make_asset(artist, seed=1)], title="Out in the open")
    draft = _project(artist, [make_asset(artist, seed=2)], publish=False, title="Secret sketch")
    response = client.get(_url(published))
    assert response.status_code == 200
    assert b"Out in the open" in response.content
    assert b"<picture" in response.content and b'width="96"' in response.content
    assert client.get(_url(draft)).status_code == 404
    client.force_login(other)
    assert client.get(_url(draft)).status_code == 404
    client.force_login(artist)
    assert client.get(_url(draft)).status_code == 200
    # A project id under the wrong username is not found either.
    assert client.get(f"/@{other.username}/projects/{published.pk}").status_code == 404


def test_every_label_links_to_a_listing_that_shows_the_project(client, artist, make_asset):
    project = _project(
        artist,
        [make_asset(artist)],
        title="Labelled work",
        fields=["painting"],
        categories=["seascapes"],
        software=["procreate"],
        mediums=["oil"],
        tags=["storm"],
        description="See https://example.com/notes for more.",
    )
    page = client.get(_url(project)).content.decode()
    assert '<a href="https://example.com/notes" rel="nofollow noopener ugc">' in page
    links = re.findall(r'href="(/portfolio/[a-z]+/[^"]+)"', page)
    assert set(links) == {
        "/portfolio/fields/painting",
        "/portfolio/categories/seascapes",
        "/portfolio/software/procreate",
        "/portfolio/mediums/oil-paint",
        "/portfolio/tags/storm",
    }
    for link in links:
        listing = client.get(link)
        assert listing.status_code == 200, link
        assert b"Labelled work" in listing.content, link
    assert b"Procreate" in client.get("/portfolio/software/procreate").content
    assert client.get("/portfolio/categories/no-such-thing").status_code == 404
    empty = client.get("/portfolio/tags/nothing-here")
    assert empty.status_code == 200 and b"Labelled work" not in empty.content


def test_listings_hide_drafts(client, artist, make_asset):
    _project(artist, [make_asset(artist)], publish=False, title="Hidden", tags=["storm"])
    assert b"Hidden" not in client.get("/portfolio/tags/storm").content


def test_mature_work_is_blurred_unless_opted_in(client, make_user, artist, make_asset):
    project = _project(artist, [make_asset(artist)], is_mature=True)
    assert b"is-blurred" in client.get(_url(project)).content
    assert b"is-blurred" in client.get(f"/@{artist.username}").content
    client.force_login(make_user("prudent"))
    assert b"is-blurred" in client.get(_url(project)).content
    client.force_login(make_user("adult", show_mature=True))
    assert b"is-blurred" not in client.get(_url(project)).content
    client.force_login(artist)
    assert b"is-blurred" not in client.get(_url(project)).content


def test_profile_tab_in_the_artists_order_with_drafts_for_the_artist(client, artist, make_asset):
    first = _project(artist, [make_asset(artist, seed=1)], title="Alpha piece")
    second = _project(artist, [make_asset(artist, seed=2)], title="Beta piece")
    _project(artist, [make_asset(artist, seed=3)], publish=False, title="Gamma draft")
    services.portfolio_reorder(
        user=artist,
        project_ids=list(
            Project.objects.filter(owner=artist).order_by("position").values_list("pk", flat=True)
        )[::-1],
    )
    public = client.get(f"/@{artist.username}").content.decode()
    assert "Gamma draft" not in public and "New project" not in public
    assert public.index("Alpha piece") < public.index("Beta piece")
    client.force_login(artist)
    own = client.get(f"/@{artist.username}").content.decode()
    assert "Gamma draft" in own and "New project" in own and "data-sortable" in own
    assert f'action="/portfolio/projects/{first.pk}/move"' in own
    assert second.pk


def test_profile_tab_query_count_does_not_grow_with_projects(client, artist, make_asset):
    _project(artist, [make_asset(artist, seed=1)])
    client.get(f"/@{artist.username}")  # warm per-process caches (the shield's token list)
    with CaptureQueriesContext(connection) as one:
        client.get(f"/@{artist.username}")
    for seed in range(2, 6):
        _project(artist, [make_asset(artist, seed=seed), make_asset(artist, seed=seed + 10)])
    with CaptureQueriesContext(connection) as five:
        response = client.get(f"/@{artist.username}")
    assert response.content.count(b'class="project-tile') == 5
    assert len(five) == len(one)


def test_landing_shows_recent_public_work(client, artist, make_asset):
    _project(artist, [make_asset(artist)], title="Front page piece")
    _project(artist, [make_asset(artist, seed=5)], publish=False, title="Not yet")
    page = client.get("/").content
    assert b"Front page piece" in page and b"Not yet" not in page


# --- editor ------------------------------------------------------------------------------


def _post_data(assets, **extra):
    data = {
        "title": "From the editor",
        "description": "Line one\r\nLine two",
        "software": "procreate, blender",
        "mediums": "gouache",
        "tags": "sea, night",
        "categories": ["seascapes"],
        "image": [str(a.pk) for a in assets],
        "cover": str(assets[-1].pk) if assets else "",
        "action": "draft",
    }
    for asset in assets:
        data[f"alt-{asset.pk}"] = f"Alt for {asset.pk}"
    data.update(extra)
    return data


def test_editor_saves_a_draft_then_publishes(client, artist, make_asset):
    assets = [make_asset(artist, seed=i) for i in range(3)]
    client.force_login(artist)
    assert client.get("/portfolio/new").status_code == 200
    response = client.post("/portfolio/new", _post_data(assets))
    project = Project.objects.get()
    assert (
        response.status_code == 302
        and response["Location"] == f"/portfolio/projects/{project.pk}/edit"
    )
    assert project.state == Project.State.DRAFT
    assert project.description == "Line one\nLine two"
    assert project.cover.asset_id == assets[-1].pk
    assert [i.alt_text for i in project.images.all()] == [f"Alt for {a.pk}" for a in assets]
    edit_page = client.get(f"/portfolio/projects/{project.pk}/edit").content.decode()
    assert "Procreate, Blender" in edit_page and f'value="{assets[-1].pk}" checked' in edit_page
    response = client.post(
        f"/portfolio/projects/{project.pk}/edit",
        _post_data(list(reversed(assets)), action="publish"),
    )
    assert response.status_code == 302 and response["Location"] == _url(project)
    project.refresh_from_db()
    assert project.is_published and project.edited_at is None
    assert [i.asset_id for i in project.images.all()] == [a.pk for a in reversed(assets)]
    response = client.post(
        f"/portfolio/projects/{project.pk}/edit",
        _post_data(list(reversed(assets)), action="save", title="Renamed"),
    )
    assert response.status_code == 302
    page = client.get(_url(project)).content.decode()
    assert "Renamed" in page and "Edited" in page


def test_editor_refused_publish_changes_nothing(client, artist, make_asset):
    asset = make_asset(artist)
    client.force_login(artist)
    response = client.post("/portfolio/new", _post_data([asset], title="", action="publish"))
    assert response.status_code == 400
    assert "Add a title before publishing." in response.content.decode()
    assert f'name="image" value="{asset.pk}"' in response.content.decode()  # nothing lost
    assert not Project.objects.exists()


def test_editor_refuses_someone_elses_asset(client, artist, other, make_asset):
    theirs = make_asset(other)
    client.force_login(artist)
    response = client.post("/portfolio/new", _post_data([theirs]))
    assert response.status_code == 403
    assert b"only add images that you uploaded" in response.content
    assert not Project.objects.exists()


def test_editor_refuses_garbled_and_oversized_input(client, artist, make_asset):
    asset = make_asset(artist)
    client.force_login(artist)
    response = client.post("/portfolio/new", _post_data([asset], image=["12abc"]))
    assert response.status_code == 400 and b"garbled" in response.content
    response = client.post("/portfolio/new", _post_data([asset], description="d" * 5001))
    assert response.status_code == 400 and b"5,001 characters" in response.content
    response = client.post("/portfolio/new", {**_post_data([asset]), f"alt-{asset.pk}": "a" * 1501})
    assert response.status_code == 400 and b"Alt text is at most 1,500" in response.content
    assert not Project.objects.exists()


def test_other_users_get_404_for_edit_delete_and_move(client, artist, other, make_asset):
    project = _project(artist, [make_asset(artist)])
    client.force_login(other)
    for url in ("edit", "delete"):
        assert client.get(f"/portfolio/projects/{project.pk}/{url}").status_code == 404
    assert client.post(f"/portfolio/projects/{project.pk}/delete").status_code == 404
    assert client.post(f"/portfolio/projects/{project.pk}/edit", _post_data([])).status_code == 404
    assert (
        client.post(f"/portfolio/projects/{project.pk}/move", {"direction": "later"}).status_code
        == 404
    )
    assert client.post("/portfolio/reorder", {"project": [project.pk]}).status_code == 403
    assert Project.objects.filter(pk=project.pk, title="Tidal").exists()


def test_anonymous_users_are_sent_to_log_in(client, artist, make_asset):
    project = _project(artist, [make_asset(artist)])
    for url in ("/portfolio/new", f"/portfolio/projects/{project.pk}/edit"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login" in response["Location"]
    assert client.post(f"/portfolio/projects/{project.pk}/delete").status_code == 302
    assert Project.objects.filter(pk=project.pk).exists()


def test_delete_view_removes_everything(
    client, artist, make_asset, files_under, django_capture_on_commit_callbacks
):
    project = _project(artist, [make_asset(artist, seed=1), make_asset(artist, seed=2)])
    assert files_under()
    client.force_login(artist)
    assert client.get(f"/portfolio/projects/{project.pk}/delete").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/portfolio/projects/{project.pk}/delete")
    assert response.status_code == 302
    assert files_under() == []
    assert not Project.objects.exists() and not MediaAsset.objects.exists()


def test_move_and_reorder_endpoints(client, artist, make_asset):
    a = _project(artist, [make_asset(artist, seed=1)], title="A")
    b = _project(artist, [make_asset(artist, seed=2)], title="B")
    client.force_login(artist)

    def order():
        return list(
            Project.objects.filter(owner=artist).order_by("position").values_list("pk", flat=True)
        )

    assert order() == [b.pk, a.pk]
    response = client.post(f"/portfolio/projects/{a.pk}/move", {"direction": "earlier"})
    assert response.status_code == 302 and order() == [a.pk, b.pk]
    assert client.post("/portfolio/reorder", {"project": [b.pk, a.pk]}).status_code == 204
    assert order() == [b.pk, a.pk]
    assert client.post("/portfolio/reorder", {"project": [b.pk]}).status_code == 400
    assert client.post("/portfolio/reorder", {"project": ["x"]}).status_code == 400
    assert order() == [b.pk, a.pk]


def test_upload_card_and_state_are_owner_only(client, artist, other, make_asset):
    ready = make_asset(artist, seed=1)
    pending = make_asset(artist, seed=2, process=False)
    client.force_login(artist)
    card = client.get(reverse("portfolio:asset_card", args=[ready.pk])).content.decode()
    assert f'name="alt-{ready.pk}"' in card and "Ready" in card and "hx-get" not in card
    state = client.get(reverse("portfolio:asset_state", args=[pending.pk])).content.decode()
    assert "Processing" in state and 'hx-trigger="load delay:1s"' in state
    client.force_login(other)
    assert client.get(reverse("portfolio:asset_card", args=[ready.pk])).status_code == 404
    assert client.get(reverse("portfolio:asset_state", args=[ready.pk])).status_code == 404


def test_project_page_shows_likes_and_comments_from_the_feed(client, artist, other, make_asset):
    from kiln.posts import services as posts

    project = _project(artist, [make_asset(artist)])
    posts.project_comment_create(author=other, project_id=project.pk, text="Lovely greys.")
    posts.project_like_create(user=other, project_id=project.pk)
    page = client.get(_url(project)).content.decode()
    assert "Lovely greys." in page and "1 like" in page
    draft = _project(artist, [make_asset(artist, seed=4)], publish=False)
    client.force_login(artist)
    assert "project-social" not in client.get(_url(draft)).content.decode()


def test_an_asset_attached_to_a_post_cannot_join_a_project(artist, make_asset):
    from kiln.posts.models import Post, PostAttachment

    asset = make_asset(artist)
    post = Post.objects.create(author=artist, text="wip")
    PostAttachment.objects.create(post=post, asset=asset)
    with pytest.raises(ValidationError, match="already used"):
        services.project_create(
            owner=artist, data=ProjectInput(title="x", images=[ImageInput(asset_id=asset.pk)])
        )
    assert not Project.objects.exists()


def test_project_page_query_count_does_not_grow_with_images(client, artist, make_asset):
    small = _project(artist, [make_asset(artist, seed=1)], tags=["a"])
    large = _project(
        artist, [make_asset(artist, seed=n) for n in range(2, 8)], tags=["a", "b", "c"]
    )
    client.get(_url(small))  # warm per-process caches (the shield's token list)
    with CaptureQueriesContext(connection) as one:
        client.get(_url(small))
    with CaptureQueriesContext(connection) as six:
        response = client.get(_url(large))
    assert response.content.count(b"viewer-open") == 6
    assert len(six) == len(one)


def test_a_failed_upload_can_be_retried_from_the_editor(
    client, artist, other, make_asset, django_capture_on_commit_callbacks
):
    asset = make_asset(artist, process=False)
    MediaAsset.objects.filter(pk=asset.pk).update(state="failed", failure_reason="Broken pipe.")
    client.force_login(artist)
    state = client.get(reverse("portfolio:asset_state", args=[asset.pk])).content.decode()
    assert "Broken pipe." in state and "Try again" in state
    client.force_login(other)
    assert client.post(reverse("portfolio:asset_retry", args=[asset.pk])).status_code == 404
    client.force_login(artist)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portfolio:asset_retry", args=[asset.pk]))
    assert response.status_code == 200
    asset.refresh_from_db()
    assert asset.state == MediaAsset.State.READY


def test_images_without_alt_text_still_say_what_they_are(client, artist, make_asset):
    project = services.project_create(
        owner=artist,
        data=ProjectInput(
            title="Quiet rooms",
            images=[ImageInput(asset_id=make_asset(artist, seed=n).pk) for n in range(2)],
        ),
    )
    services.project_publish(user=artist, project=project)
    page = client.get(_url(project)).content.decode()
    assert 'alt="Quiet rooms, image 1 of 2"' in page and 'alt="Quiet rooms, image 2 of 2"' in page
    assert 'alt=""' not in page.split('class="project-images"')[1].split("</ol>")[0]


def test_publish_that_must_wait_keeps_the_draft(client, artist, make_asset):
    pending = make_asset(artist, process=False)
    client.force_login(artist)
    response = client.post("/portfolio/new", _post_data([pending], action="publish"))
    project = Project.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/portfolio/projects/{project.pk}/edit"
    assert project.state == Project.State.DRAFT and project.images.count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "Saved as a draft, not published yet" in page and "finished processing" in page


def test_cloak_requested_on_publish_saves_the_draft_and_starts_the_cloak(
    client, artist, make_asset, monkeypatch, shared_dir
):
    """The cloak's jobs start in the same save; publishing waits for them, not the draft."""
    monkeypatch.setenv("KILN_MODELS_DIR", str(shared_dir / "models"))  # the option is enabled
    from kiln.portfolio import services as portfolio_services

    started = []
    done = []

    def sync(*, user, project):
        if project.cloak_requested and not done:
            started.extend(project.images.values_list("asset_id", flat=True))

    monkeypatch.setattr(portfolio_services, "cloak_sync_project", sync)
    monkeypatch.setattr(
        portfolio_services, "cloak_blocks_publication", lambda *, asset_ids: set(started)
    )
    asset = make_asset(artist)
    client.force_login(artist)
    response = client.post(
        "/portfolio/new",
        _post_data([asset], action="publish", cloak_requested="on", cloak_intensity="high"),
    )
    assert response.status_code == 302
    project = Project.objects.get()
    assert started == [asset.pk]
    assert project.cloak_requested and project.cloak_intensity == "high"
    assert project.state == Project.State.DRAFT
    # Once the cloak is done the same button publishes; editing a published project while a
    # new cloak runs is allowed (the work stays up and is swapped when the cloak is done).
    started.clear()
    done.append(True)
    response = client.post(
        f"/portfolio/projects/{project.pk}/edit",
        _post_data([asset], action="publish", cloak_requested="on", cloak_intensity="high"),
    )
    project.refresh_from_db()
    assert project.is_published
    started.append(asset.pk)  # a new cloak run (say, another intensity) is under way
    response = client.post(
        f"/portfolio/projects/{project.pk}/edit",
        _post_data([asset], action="save", title="Cloaked", cloak_requested="on"),
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.title == "Cloaked" and project.is_published


def test_the_page_only_says_cloaked_when_every_cloak_is_done(client, artist, make_asset):
    """Issue 16.8: no "requested" state without a real job; "Cloaked" only when all are done."""
    from kiln.cloak.models import CloakJob

    assets = [make_asset(artist, seed=n) for n in range(2)]
    project = _project(artist, assets, cloak_requested=True)
    page = client.get(_url(project)).content.decode()
    assert "Protection" not in page and "Cloaked:" not in page and "requested" not in page
    CloakJob.objects.create(asset=assets[0], owner=artist, intensity="default", state="queued")
    page = client.get(_url(project)).content.decode()
    assert "Being cloaked now" in page and "Cloaked:" not in page
    report = {"shifts": {"trainer_1024": 0.8, "noisy_upscale": 0.3}}
    for asset in assets:
        CloakJob.objects.update_or_create(
            asset=asset,
            defaults={"owner": artist, "intensity": "default", "state": "done", "report": report},
        )
    page = client.get(_url(project)).content.decode()
    assert "Cloaked:" in page
    assert "holds after resizing to 1024 px; weakened by noisy upscaling" in page
    CloakJob.objects.filter(asset=assets[1]).update(state="running")
    assert "Cloaked:" not in client.get(_url(project)).content.decode()
    CloakJob.objects.filter(asset=assets[1]).update(state="failed")
    page = client.get(_url(project)).content.decode()
    assert "Cloaked:" not in page and "Being cloaked" not in page


def test_move_to_drafts_hides_a_published_project(client, artist, make_asset):
    asset = make_asset(artist)
    project = _project(artist, [asset])
    client.force_login(artist)
    response = client.post(
        f"/portfolio/projects/{project.pk}/edit", _post_data([asset], action="unpublish")
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.state == Project.State.DRAFT
    client.logout()
    assert client.get(_url(project)).status_code == 404
