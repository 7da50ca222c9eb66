"""Discover's two views: Work (projects and image posts as a wall, newest first) and Posts
(the feed). Text-only, warned and mature posts stay out of the wall."""

import pytest

from kiln.portfolio import services as portfolio
from kiln.portfolio.services import ImageInput, ProjectInput
from kiln.posts.services import post_create
from kiln.social.services import block_create

from ..portfolio.conftest import make_asset  # noqa: F401 - the real pipeline, run inline

pytestmark = pytest.mark.django_db


@pytest.fixture
def wall(make_user, make_asset):  # noqa: F811
    mira = make_user("mira", display_name="Mira")
    asset = make_asset(mira, seed=1)
    draft = portfolio.project_create(
        owner=mira,
        data=ProjectInput(title="Tide", images=[ImageInput(asset_id=asset.pk, alt_text="Sea")]),
    )
    project = portfolio.project_publish(user=mira, project=draft)
    text_only = post_create(author=mira, text="Just words")
    warned = post_create(
        author=mira, text="w", attachments=[(make_asset(mira, seed=2), "x")], content_warning="eyes"
    )
    image_post = post_create(
        author=mira, text="Sketch", attachments=[(make_asset(mira, seed=3), "s")]
    )
    return mira, project, text_only, warned, image_post


def _tile_links(html: str) -> list[str]:
    import re

    return re.findall(r'class="tile-link" href="([^"]+)"', html)


def test_work_view_is_a_wall_of_projects_and_image_posts_newest_first(client, wall):
    mira, project, text_only, warned, image_post = wall
    html = client.get("/discover?view=work").content.decode()
    assert _tile_links(html) == [f"/@mira/posts/{image_post.pk}", f"/@mira/projects/{project.pk}"]
    assert 'aria-current="page">Work<' in html


def test_posts_view_stays_the_feed(client, wall):
    _, _, text_only, _, _ = wall
    html = client.get("/discover").content.decode()
    assert "Just words" in html and 'aria-current="page">Posts<' in html
    assert _tile_links(html) == []


def test_an_unknown_view_or_filter_falls_back_with_a_message(client, wall):
    response = client.get("/discover?view=nonsense&field=nope")
    assert response.status_code == 200
    assert "That field of work does not exist" in response.content.decode()


def test_a_blocked_artist_is_not_on_the_wall(client, make_user, wall):
    mira = wall[0]
    ben = make_user("ben")
    block_create(blocker=mira, blocked=ben)
    client.force_login(ben)
    assert _tile_links(client.get("/discover?view=work").content.decode()) == []
