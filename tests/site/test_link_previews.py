"""Link previews: a pasted portfolio link gets a card (title, description, a small watermarked
and reserved image); preview fetchers get that and nothing else; AI agents stay refused."""

import pytest
import pyvips

from kiln.portfolio import services as portfolio
from kiln.portfolio.services import ImageInput, ProjectInput
from kiln.provenance.models import Screening

from ..portfolio.conftest import make_asset  # noqa: F401 - the real pipeline, run inline

pytestmark = pytest.mark.django_db

SLACK = "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"
IMESSAGE = "Mozilla/5.0 (Macintosh) facebookexternalhit/1.1 Facebot Twitterbot/1.0"
GPTBOT = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2)"


@pytest.fixture
def project(make_user, make_asset):  # noqa: F811
    ana = make_user("ana", display_name="Ana Ink")
    asset = make_asset(ana, width=1600, height=900)
    data = ProjectInput(
        title="Harbour studies",
        description="Ink and wash, spring",
        images=[ImageInput(asset_id=asset.pk, alt_text="A harbour")],
    )
    created = portfolio.project_create(owner=ana, data=data)
    return portfolio.project_publish(user=ana, project=created), asset


def test_a_project_page_carries_its_card_tags(client, project):
    project, _ = project
    html = client.get(f"/@ana/projects/{project.pk}").content.decode()
    assert '<meta property="og:title" content="Harbour studies by Ana Ink">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert f'content="http://testserver/@ana/projects/{project.pk}/card.jpg"' in html


def test_preview_fetchers_get_the_card_and_nothing_else(client, project):
    project, _ = project
    for agent in (SLACK, IMESSAGE):
        page = client.get(f"/@ana/projects/{project.pk}", HTTP_USER_AGENT=agent)
        body = page.content.decode()
        assert page.status_code == 200 and 'property="og:image"' in body
        assert "<img" not in body and "<body></body>" in body  # tags only, no page
        card = client.get(f"/@ana/projects/{project.pk}/card.jpg", HTTP_USER_AGENT=agent)
        assert card.status_code == 200 and card["Content-Type"] == "image/jpeg"
        for elsewhere in ("/discover", "/@ana/likes", "/search?q=ink", "/media/r/x/y.jpg"):
            assert client.get(elsewhere, HTTP_USER_AGENT=agent).status_code == 403, elsewhere


def test_ai_agents_stay_refused_on_shared_pages(client, project):
    project, _ = project
    assert client.get(f"/@ana/projects/{project.pk}", HTTP_USER_AGENT=GPTBOT).status_code == 403
    card = client.get(f"/@ana/projects/{project.pk}/card.jpg", HTTP_USER_AGENT=GPTBOT)
    assert card.status_code == 403


def test_the_card_is_small_watermarked_and_reserved(client, project):
    project, _ = project
    data = client.get(f"/@ana/projects/{project.pk}/card.jpg").content
    image = pyvips.Image.new_from_buffer(data, "")
    assert image.width <= 1200
    xmp = image.get("xmp-data").decode("utf-8", "replace")
    assert "Ana Ink" in xmp and "All rights reserved" in xmp
    assert f"/@ana/projects/{project.pk}" in xmp


def test_no_card_for_held_or_unpublished_work(client, project, make_asset):  # noqa: F811
    project, asset = project
    Screening.objects.update_or_create(asset=asset, defaults={"state": Screening.State.HELD})
    assert client.get(f"/@ana/projects/{project.pk}/card.jpg").status_code == 404
    draft = portfolio.project_create(
        owner=project.owner,
        data=ProjectInput(
            title="Draft", images=[ImageInput(asset_id=make_asset(project.owner).pk, alt_text="x")]
        ),
    )
    assert client.get(f"/@ana/projects/{draft.pk}/card.jpg").status_code == 404
    assert client.get("/@nobody/card.jpg").status_code == 404
