"""Pinned works: up to three at the top of the artist's profile, pinned and unpinned by the
artist alone (from the portfolio's tiles or the project page); a fourth pin is refused clearly."""

import re

import pytest

from kiln.portfolio.models import Project
from kiln.social.services import block_create

pytestmark = pytest.mark.django_db


def publish(owner, title):
    return Project.objects.create(owner=owner, title=title, state="published")


def pinned_section(html: str) -> str:
    found = re.search(r'<section class="pinned-works".*?</section>', html, re.S)
    return found.group(0) if found else ""


def test_pin_from_the_project_page_shows_at_the_top_of_the_profile(client, make_user):
    ana = make_user("ana")
    harbour, dunes = publish(ana, "Harbour"), publish(ana, "Dunes")
    client.force_login(ana)
    page = client.get(f"/@ana/projects/{harbour.pk}").content.decode()
    assert f'action="/portfolio/projects/{harbour.pk}/pin"' in page and "Pin to profile" in page
    response = client.post(
        f"/portfolio/projects/{harbour.pk}/pin", {"next": f"/@ana/projects/{harbour.pk}"}
    )
    assert response.status_code == 302 and response["Location"] == f"/@ana/projects/{harbour.pk}"
    client.post(f"/portfolio/projects/{dunes.pk}/pin")
    client.logout()
    section = pinned_section(client.get("/@ana").content.decode())
    assert section.index("Harbour") < section.index("Dunes")  # in the order they were pinned
    client.force_login(ana)
    client.post(f"/portfolio/projects/{harbour.pk}/pin", {"unpin": "1"})
    section = pinned_section(client.get("/@ana").content.decode())
    assert "Harbour" not in section and "Dunes" in section


def test_a_fourth_pin_is_refused_with_a_clear_message(client, make_user):
    ana = make_user("ana")
    works = [publish(ana, f"Work {n}") for n in range(4)]
    client.force_login(ana)
    for work in works[:3]:
        client.post(f"/portfolio/projects/{work.pk}/pin")
    response = client.post(f"/portfolio/projects/{works[3].pk}/pin", follow=True)
    assert "You can pin up to 3 works. Unpin one first" in response.content.decode()
    assert Project.objects.filter(pinned_at__isnull=False).count() == 3
    assert Project.objects.get(pk=works[3].pk).pinned_at is None


def test_a_draft_cannot_be_pinned_and_an_unpublished_pin_is_hidden(client, make_user):
    ana = make_user("ana")
    draft = Project.objects.create(owner=ana, title="Secret draft", state="draft")
    client.force_login(ana)
    response = client.post(f"/portfolio/projects/{draft.pk}/pin", follow=True)
    assert "Publish the project before pinning it." in response.content.decode()
    assert Project.objects.get(pk=draft.pk).pinned_at is None
    work = publish(ana, "Was public")
    client.post(f"/portfolio/projects/{work.pk}/pin")
    Project.objects.filter(pk=work.pk).update(state="draft")
    client.logout()
    assert "Was public" not in pinned_section(client.get("/@ana").content.decode())


@pytest.mark.parametrize("who", ["anonymous", "other", "blocked", "staff"])
def test_only_the_owner_can_pin(client, make_user, who):
    ana = make_user("ana")
    work = publish(ana, "Harbour")
    if who != "anonymous":
        someone = make_user("someone")
        if who == "blocked":
            block_create(blocker=ana, blocked=someone)
        if who == "staff":
            someone.is_staff = someone.is_superuser = True
            someone.save()
        client.force_login(someone)
        page = client.get(f"/@ana/projects/{work.pk}").content.decode()
        assert "/pin" not in page
    for data in ({}, {"unpin": "1"}):
        response = client.post(f"/portfolio/projects/{work.pk}/pin", data)
        if who == "anonymous":
            assert response.status_code == 302 and "/login" in response["Location"]
        else:
            assert response.status_code == 404
    assert Project.objects.get(pk=work.pk).pinned_at is None


def test_pin_bad_input(client, make_user):
    ana = make_user("ana")
    client.force_login(ana)
    assert client.post("/portfolio/projects/999999999/pin").status_code == 404
    assert client.get(f"/portfolio/projects/{publish(ana, 'x').pk}/pin").status_code == 405
    evil = client.post(
        f"/portfolio/projects/{publish(ana, 'y').pk}/pin", {"next": "https://evil.example/"}
    )
    assert evil.status_code == 302 and evil["Location"] == "/@ana"
