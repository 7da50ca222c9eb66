"""Video and 3D embeds: link parsing, the editor, ordering with images, and the page."""

import pytest
from django.core.exceptions import ValidationError

from kiln.portfolio import embeds, services
from kiln.portfolio.embeds import EmbedError, parse_embed_url
from kiln.portfolio.models import Project, ProjectEmbed
from kiln.portfolio.services import EmbedInput, ImageInput, ProjectInput

YT = "dQw4w9WgXcQ"
SKETCH = "0123456789abcdef0123456789abcdef"


# --- parsing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, expected",
    [
        (f"https://www.youtube.com/watch?v={YT}", ("youtube", YT)),
        (f"https://youtube.com/watch?v={YT}&t=42s&list=PL1", ("youtube", YT)),
        (f"https://m.youtube.com/watch?feature=share&v={YT}", ("youtube", YT)),
        (f"http://youtu.be/{YT}?si=abc", ("youtube", YT)),
        (f"youtu.be/{YT}", ("youtube", YT)),
        (f"  https://www.youtube.com/shorts/{YT}  ", ("youtube", YT)),
        (f"https://www.youtube-nocookie.com/embed/{YT}", ("youtube", YT)),
        ("https://vimeo.com/76979871", ("vimeo", "76979871")),
        ("https://www.vimeo.com/76979871#t=10", ("vimeo", "76979871")),
        ("https://vimeo.com/channels/staffpicks/76979871", ("vimeo", "76979871")),
        ("https://player.vimeo.com/video/76979871", ("vimeo", "76979871")),
        (f"https://sketchfab.com/3d-models/old-lighthouse-{SKETCH}", ("sketchfab", SKETCH)),
        (f"https://sketchfab.com/3d-models/{SKETCH}", ("sketchfab", SKETCH)),
        (f"https://sketchfab.com/models/{SKETCH}", ("sketchfab", SKETCH)),
        (f"https://sketchfab.com/models/{SKETCH}/embed", ("sketchfab", SKETCH)),
        (f"HTTPS://WWW.YOUTUBE.COM/watch?v={YT}", ("youtube", YT)),
    ],
)
def test_supported_links_parse_to_provider_and_id(url, expected):
    assert parse_embed_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "",
        "https://example.com/watch?v=dQw4w9WgXcQ",
        f"https://youtube.com.evil.example/watch?v={YT}",
        f"https://evil-youtube.com/watch?v={YT}",
        f"https://notyoutu.be/{YT}",
        f"https://youtube.com@evil.example/watch?v={YT}",
        f"https://www.youtube.com:8443/watch?v={YT}",
        "https://vimeo.com.evil.example/76979871",
        f"https://sketchfab.com.evil.example/models/{SKETCH}",
        "javascript:alert(1)//youtube.com/watch?v=dQw4w9WgXcQ",
        "JavaScript:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
        f"ftp://youtube.com/watch?v={YT}",
        f"//youtube.com/watch?v={YT}",
        "https://www.youtube.com/watch?v=short",
        f"https://www.youtube.com/watch?v={YT}&v=aaaaaaaaaaa",
        "https://www.youtube.com/channel/UC123",
        f'https://www.youtube.com/watch?v={YT}"><script>',
        "https://vimeo.com/not-a-number",
        "https://vimeo.com/0123",
        "https://sketchfab.com/3d-models/lighthouse",
        f"https://sketchfab.com/models/{SKETCH.upper()}",
        f"https://www.youtube.com/watch?v={YT}" + "&x=1" * 200,
        f"https://www.youtube.com/watch?v={YT}\nhttps://evil.example",
    ],
)
def test_other_links_are_refused_with_a_message(url):
    with pytest.raises(EmbedError) as caught:
        parse_embed_url(url)
    message = str(caught.value)
    # Either the list of supported sites, or which provider's link was incomplete.
    assert embeds.UNSUPPORTED in message or "doesn't point to a single" in message
    if ".evil.example" in url or "@" in url or ":8443" in url:
        assert embeds.UNSUPPORTED in message


def test_oversized_input_is_refused_before_parsing():
    with pytest.raises(EmbedError, match="too long"):
        parse_embed_url("https://www.youtube.com/watch?v=" + "a" * 10_000)


def test_iframe_src_is_rebuilt_from_the_id_only():
    assert embeds.embed_src("youtube", YT) == f"https://www.youtube-nocookie.com/embed/{YT}"
    assert embeds.embed_src("vimeo", "42") == "https://player.vimeo.com/video/42"
    assert embeds.embed_src("sketchfab", SKETCH) == f"https://sketchfab.com/models/{SKETCH}/embed"
    with pytest.raises(EmbedError):
        embeds.embed_src("youtube", 'x"><script>')


@pytest.mark.django_db
def test_the_csp_allows_exactly_the_embed_origins(client, settings):
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert set(directives["frame-src"]) == set(embeds.FRAME_ORIGINS)
    csp = client.get("/")["Content-Security-Policy"]
    frame_src = next(p for p in csp.split(";") if p.strip().startswith("frame-src")).split()
    assert set(frame_src[1:]) == set(embeds.FRAME_ORIGINS)
    assert "frame-ancestors 'none'" in csp  # Kiln itself still can't be framed


# --- services ------------------------------------------------------------------------------


def _items(artist, make_asset):
    return [
        ImageInput(asset_id=make_asset(artist, seed=1).pk, alt_text="First"),
        EmbedInput.from_url(f"https://youtu.be/{YT}", alt_text="The making-of"),
        ImageInput(asset_id=make_asset(artist, seed=2).pk, alt_text="Second"),
        EmbedInput.from_url(f"https://sketchfab.com/models/{SKETCH}"),
    ]


def _order(project):
    from kiln.portfolio.selectors import project_for_edit, project_items

    fresh = project_for_edit(user=project.owner, project_id=project.pk)
    return [
        ("embed", item.provider) if item.is_embed else ("image", item.alt_text)
        for item in project_items(fresh)
    ]


@pytest.mark.django_db
def test_images_and_embeds_keep_one_mixed_order(artist, make_asset):
    items = _items(artist, make_asset)
    project = services.project_create(owner=artist, data=ProjectInput(title="Mix", images=items))
    assert _order(project) == [
        ("image", "First"),
        ("embed", "youtube"),
        ("image", "Second"),
        ("embed", "sketchfab"),
    ]
    # Reordered, one embed removed, a description changed: the rows follow.
    items[1].alt_text = "Now described"
    reordered = [items[1], items[2], items[0]]
    services.project_update(
        user=artist, project=project, data=ProjectInput(title="Mix", images=reordered)
    )
    assert _order(project) == [("embed", "youtube"), ("image", "Second"), ("image", "First")]
    assert ProjectEmbed.objects.get(project=project).alt_text == "Now described"
    # Reordering the images alone leaves the embed in its slot.
    first, second = project.images.order_by("position")
    services.project_images_reorder(user=artist, project=project, image_ids=[second.pk, first.pk])
    assert _order(project) == [("embed", "youtube"), ("image", "First"), ("image", "Second")]


@pytest.mark.django_db
def test_embeds_count_toward_the_twenty_items(artist, make_asset):
    asset = make_asset(artist)
    vimeos = [EmbedInput(provider="vimeo", video_id=str(1000 + n)) for n in range(20)]
    with pytest.raises(ValidationError, match="at most 20 images and embeds"):
        services.project_create(
            owner=artist,
            data=ProjectInput(title="x", images=[ImageInput(asset_id=asset.pk), *vimeos]),
        )
    assert not Project.objects.exists()


@pytest.mark.django_db
def test_forged_embed_values_and_duplicates_are_refused(artist, make_asset):
    asset = make_asset(artist)
    for bad in (
        [EmbedInput(provider="evil", video_id="x")],
        [EmbedInput(provider="youtube", video_id='"><script>alert(1)</script>')],
        [EmbedInput(provider="vimeo", video_id="1"), EmbedInput(provider="vimeo", video_id="1")],
    ):
        with pytest.raises(ValidationError):
            services.project_create(
                owner=artist,
                data=ProjectInput(title="x", images=[ImageInput(asset_id=asset.pk), *bad]),
            )
    assert not ProjectEmbed.objects.exists()


@pytest.mark.django_db
def test_a_project_needs_an_image_to_publish_and_for_its_cover(artist, make_asset):
    only_video = ProjectInput(title="Just a video", images=[EmbedInput("youtube", YT)])
    project = services.project_create(owner=artist, data=only_video)
    with pytest.raises(ValidationError, match="at least one image"):
        services.project_publish(user=artist, project=project)
    asset = make_asset(artist)
    services.project_update(
        user=artist,
        project=project,
        data=ProjectInput(
            title="Video and still", images=[EmbedInput("youtube", YT), ImageInput(asset.pk)]
        ),
    )
    project = services.project_publish(user=artist, project=project)
    from kiln.portfolio.selectors import cover_image, project_for_edit

    assert cover_image(project_for_edit(user=artist, project_id=project.pk)).asset_id == asset.pk
    # Removing the last image of a published project is refused, embeds or not.
    with pytest.raises(ValidationError, match="at least one image"):
        services.project_update(
            user=artist,
            project=project,
            data=ProjectInput(title="Video and still", images=[EmbedInput("youtube", YT)]),
        )


# --- views ---------------------------------------------------------------------------------


def _published(artist, make_asset, **fields):
    project = services.project_create(
        owner=artist, data=ProjectInput(title="Mix", images=_items(artist, make_asset), **fields)
    )
    return services.project_publish(user=artist, project=project)


def _url(project):
    return f"/@{project.owner.username}/projects/{project.pk}"


@pytest.mark.django_db
def test_project_page_renders_canonical_frames_in_place(client, artist, make_asset):
    project = _published(artist, make_asset)
    response = client.get(_url(project))
    html = response.content.decode()
    src_yt = f'src="https://www.youtube-nocookie.com/embed/{YT}"'
    src_sf = f'src="https://sketchfab.com/models/{SKETCH}/embed"'
    assert src_yt in html and src_sf in html
    assert html.index("First") < html.index(src_yt) < html.index("Second") < html.index(src_sf)
    frame = html[html.rindex("<iframe", 0, html.index(src_yt)) : html.index(src_yt) + 200]
    for attribute in (
        'loading="lazy"',
        "allowfullscreen",
        'referrerpolicy="strict-origin-when-cross-origin"',
        'title="The making-of"',
    ):
        assert attribute in frame
    assert 'title="Sketchfab 3D model in “Mix”"' in html  # never an empty title
    assert "youtu.be" not in html  # the pasted link is never shown or framed
    assert html.count("viewer-open") == 2  # the full-screen viewer steps through images only
    assert "frame-src https://www.youtube-nocookie.com" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_mature_projects_load_no_frame_until_shown(client, artist, make_asset):
    project = _published(artist, make_asset, is_mature=True)
    html = client.get(_url(project)).content.decode()
    assert f'data-embed-src="https://www.youtube-nocookie.com/embed/{YT}"' in html
    assert ' src="https://www.youtube-nocookie.com' not in html


def _editor_post(project, **extra):
    data = {"title": project.title, "action": "draft", "cloak_intensity": "default"}
    data.update(extra)
    return data


@pytest.mark.django_db
def test_editor_adds_an_embed_card_then_saves_it(client, artist, make_asset):
    asset = make_asset(artist)
    client.force_login(artist)
    response = client.post(
        "/portfolio/new",
        {
            "title": "With a video",
            "image": [str(asset.pk)],
            "cover": str(asset.pk),
            "embed_url": "https://vimeo.com/76979871",
            "action": "add_embed",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="image" value="embed:vimeo:76979871"' in html
    assert f'name="image" value="{asset.pk}"' in html  # the upload's card is kept
    assert 'value="With a video"' in html
    assert not Project.objects.exists()  # adding a card saves nothing
    response = client.post(
        "/portfolio/new",
        {
            "title": "With a video",
            "image": ["embed:vimeo:76979871", str(asset.pk)],
            "alt-embed:vimeo:76979871": "Timelapse",
            "cover": str(asset.pk),
            "action": "publish",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    project = Project.objects.get()
    assert project.is_published
    embed = project.embeds.get()
    assert (embed.provider, embed.video_id, embed.alt_text, embed.position) == (
        "vimeo",
        "76979871",
        "Timelapse",
        0,
    )
    assert project.images.get().position == 1
    editor = client.get(f"/portfolio/projects/{project.pk}/edit").content.decode()
    assert editor.index("embed:vimeo:76979871") < editor.index(f'value="{asset.pk}"')


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url, message",
    [
        ("https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ", "YouTube, Vimeo and Sketchfab"),
        ("javascript:alert(1)", "Only web links"),
        ("https://www.youtube.com/watch?v=" + "a" * 600, "too long"),
    ],
)
def test_editor_refuses_other_links_clearly(client, artist, url, message):
    client.force_login(artist)
    response = client.post(
        "/portfolio/new", {"title": "x", "embed_url": url, "action": "add_embed"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "embed:" not in html.split('id="image-list"')[1]
    assert "<iframe" not in html
    assert not Project.objects.exists()


@pytest.mark.django_db
def test_a_forged_embed_value_in_the_editor_is_refused(client, artist, make_asset):
    asset = make_asset(artist)
    client.force_login(artist)
    response = client.post(
        "/portfolio/new",
        {"title": "x", "image": [str(asset.pk), "embed:evil:https://evil.example/"]},
    )
    assert response.status_code == 400
    assert not Project.objects.exists()


@pytest.mark.django_db
def test_another_user_cannot_add_embeds_to_a_project(client, artist, other, make_asset):
    project = _published(artist, make_asset)
    before = list(ProjectEmbed.objects.values_list("provider", "video_id", "position"))
    client.force_login(other)
    for action in ("add_embed", "save"):
        response = client.post(
            f"/portfolio/projects/{project.pk}/edit",
            _editor_post(
                project,
                action=action,
                image=["embed:vimeo:1"],
                embed_url="https://vimeo.com/2",
            ),
        )
        assert response.status_code == 404
    with pytest.raises(services.AccessDenied):
        services.project_update(
            user=other,
            project=project,
            data=ProjectInput(title="Mine now", images=[EmbedInput("vimeo", "1")]),
        )
    assert list(ProjectEmbed.objects.values_list("provider", "video_id", "position")) == before
    assert Project.objects.get(pk=project.pk).title == "Mix"
