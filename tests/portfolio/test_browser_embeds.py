"""Embeds in Chromium: add a link by pressing Enter, reorder its card, save; mature frames
load only once shown."""

import pytest
from playwright.sync_api import Page, expect

from kiln.portfolio import services
from kiln.portfolio.models import Project
from kiln.portfolio.selectors import project_for_edit, project_items

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YT = "dQw4w9WgXcQ"


def _login(page, client, live_server, user):
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    # Nothing leaves the test machine: third-party players are answered empty.
    page.route("https://**/*", lambda route: route.fulfill(status=204, body=""))


def test_add_reorder_and_save_an_embed(page: Page, live_server, client, make_user, make_asset):
    artist = make_user("ria")
    project = services.project_create(
        owner=artist,
        data=services.ProjectInput(
            title="Harbour",
            images=[services.ImageInput(asset_id=make_asset(artist).pk, alt_text="Boats")],
        ),
    )
    project = services.project_publish(user=artist, project=project)
    _login(page, client, live_server, artist)
    page.goto(f"{live_server.url}/portfolio/projects/{project.pk}/edit")

    # A refused link says why and adds nothing.
    page.get_by_label("Add a video or 3D link").fill("https://youtube.com.evil.example/x")
    page.get_by_label("Add a video or 3D link").press("Enter")
    expect(page.locator("#embed-url-error")).to_contain_text("YouTube, Vimeo and Sketchfab")
    expect(page.locator(".embed-card")).to_have_count(0)
    # The refusal is a new page: its error can show before its deferred script has bound
    # Enter to "Add"; until then Enter is the form's default (save), as without JavaScript.
    page.wait_for_load_state("load")

    page.get_by_label("Add a video or 3D link").fill(f"https://youtu.be/{YT}")
    page.get_by_label("Add a video or 3D link").press("Enter")
    card = page.locator(".embed-card")
    expect(card).to_have_count(1)
    expect(page.locator(".image-card").nth(1)).to_have_class("image-card embed-card")
    card.get_by_label("Description").fill("How it was painted")
    card.get_by_role("button", name="Move YouTube video earlier").click()
    expect(page.locator(".image-card").nth(0)).to_have_class("image-card embed-card")
    # Enter in the title still saves (the hidden default button), not "Add".
    page.get_by_label("Title").fill("Harbour at dusk")
    page.get_by_label("Title").press("Enter")
    page.wait_for_url(f"**/@ria/projects/{project.pk}")
    frame = page.locator(".project-embed iframe")
    expect(frame).to_have_attribute("src", f"https://www.youtube-nocookie.com/embed/{YT}")
    expect(frame).to_have_attribute("title", "How it was painted")

    saved = project_for_edit(user=artist, project_id=project.pk)
    assert saved.title == "Harbour at dusk"
    assert [item.is_embed for item in project_items(saved)] == [True, False]

    # Removing the card and saving removes the embed.
    page.goto(f"{live_server.url}/portfolio/projects/{project.pk}/edit")
    page.locator(".embed-card").get_by_role("button", name="Remove").click()
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(f"**/@ria/projects/{project.pk}")
    assert not Project.objects.get(pk=project.pk).embeds.exists()


def test_mature_embeds_load_only_when_shown(page: Page, live_server, make_user, make_asset):
    artist = make_user("sol")
    project = services.project_create(
        owner=artist,
        data=services.ProjectInput(
            title="Studio",
            is_mature=True,
            images=[
                services.ImageInput(asset_id=make_asset(artist).pk),
                services.EmbedInput(provider="vimeo", video_id="76979871"),
            ],
        ),
    )
    services.project_publish(user=artist, project=project)
    page.route("https://**/*", lambda route: route.fulfill(status=204, body=""))
    page.goto(f"{live_server.url}/@sol/projects/{project.pk}")
    frame = page.locator(".project-embed iframe")
    assert frame.get_attribute("src") is None
    page.get_by_role("button", name="Show mature work").click()
    expect(frame).to_have_attribute("src", "https://player.vimeo.com/video/76979871")
