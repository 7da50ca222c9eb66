"""The pages issue 23 reshaped, with an artist's gallery behind them: shared by the
screenshot test and the accessibility test, which look at the same pages."""

import datetime as dt

import pytest
import pyvips
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import Page

from kiln.insights.models import DailyViews
from kiln.media.services import media_asset_create
from kiln.portfolio import services as portfolio
from kiln.portfolio.services import ImageInput, ProjectInput
from kiln.posts.services import post_create
from kiln.social.services import follow_create

SAMPLES = ["starry_night.jpg", "the_scream.jpg", "shipwreck.jpg", "woman-with-hat-matisse.jpg"]
VIEWPORTS = {"desktop": (1440, 900), "phone": (390, 844)}


@pytest.fixture
def gallery(make_user, shared_dir):
    mira = make_user(
        "mira",
        display_name="Mira Okafor",
        bio="Painter of night skies.",
        status="commissions",
        fields_of_work=["painting"],
    )
    ben = make_user("ben", display_name="Ben Clay")
    projects = []
    for index, name in enumerate(SAMPLES):
        small = pyvips.Image.thumbnail(str(shared_dir / "samples" / "art" / name), 900)
        with transaction.atomic():
            asset = media_asset_create(owner=mira, upload=small.jpegsave_buffer(Q=85))
        data = ProjectInput(
            title=name.split(".")[0].replace("_", " ").replace("-", " ").title(),
            description="Oil study after a painting in the public domain.",
            images=[ImageInput(asset_id=asset.pk, alt_text=f"Study {index + 1}")],
        )
        draft = portfolio.project_create(owner=mira, data=data)
        projects.append(portfolio.project_publish(user=mira, project=draft))
    post = post_create(author=mira, text="A new night sky is up in my portfolio.")
    # Thirty days of views, so the insights chart has bars to draw (Chromium's own visits
    # are a headless browser's and are not counted).
    today = timezone.now().date()
    DailyViews.objects.bulk_create(
        DailyViews(
            kind=kind,
            object_id=obj,
            owner=mira,
            day=today - dt.timedelta(days=d),
            views=(d * 7 + weight) % 23,
            unique_viewers=(d * 7 + weight) % 23 // 2,
        )
        for d in range(30)
        for kind, obj, weight in (
            ("project", projects[0].pk, 3),
            ("post", post.pk, 5),
            ("profile", mira.pk, 1),
        )
    )
    follow_create(follower=ben, followed=mira)  # a notification for Mira
    post_create(author=ben, text="@mira the harbour one is my favourite.")
    return mira, ben, projects


def gallery_pages(mira, ben, projects) -> list[tuple[str, object, str, bool]]:
    """(name, who is signed in, path, open the viewer) for every page the issue lists."""
    project = f"/@mira/projects/{projects[0].pk}"
    return [
        ("landing", None, "/", False),
        ("discover-posts", ben, "/discover", False),
        ("discover-work", ben, "/discover?view=work", False),
        ("profile", ben, "/@mira", False),
        ("project", ben, project, False),
        ("viewer", ben, project, True),
        ("composer", ben, "/compose", False),
        ("notifications", mira, "/notifications", False),
        ("settings", mira, "/settings/profile", False),
        ("insights", mira, "/insights", False),
    ]


def log_in(page: Page, client, user, base: str) -> None:
    page.context.clear_cookies()
    if user is None:
        return
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )


def open_page(page: Page, base: str, path: str, viewer: bool) -> None:
    page.goto(base + path)
    page.wait_for_load_state("networkidle")
    if viewer:
        page.locator(".viewer-open").first.click()
        page.locator("dialog.viewer[open]").wait_for()
        page.wait_for_load_state("networkidle")
