"""Jobs over HTTP: the pages, the form's errors, the feed, and who may see what."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kiln.hiring import services
from kiln.hiring.models import JobListing
from kiln.social.services import block_create


def _form(**overrides):
    data = {
        "title": "Storyboard artist",
        "organisation": "North Studio",
        "description": "Storyboards for a stop-motion series, twelve episodes, pencil.",
        "fields_of_work": ["storyboarding"],
        "role_type": "freelance",
        "workplace": "remote",
        "pay_min": "300",
        "pay_max": "450",
        "currency": "EUR",
        "pay_period": "day",
        "deadline": (timezone.localdate() + timedelta(days=20)).isoformat(),
        "apply_method": "kiln",
        "human_made": "on",
    }
    data.update(overrides)
    return data


def test_post_preview_publish_and_board(client, studio):
    client.force_login(studio)
    assert b"made by people" in client.get("/jobs/new").content
    response = client.post("/jobs/new", _form())
    listing = JobListing.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{listing.pk}"
    assert b"Preview" in client.get(f"/jobs/{listing.pk}").content
    assert b"Storyboard artist" not in client.get("/jobs").content
    client.post(f"/jobs/{listing.pk}/publish")
    board = client.get("/jobs?field=storyboarding&role_type=freelance")
    assert b"Storyboard artist" in board.content
    assert b"Storyboard artist" not in client.get("/jobs?field=3d").content
    feed = client.get("/jobs/feed.atom")
    assert feed["Content-Type"].startswith("application/atom+xml")
    assert b"Storyboard artist" in feed.content


@pytest.mark.parametrize(
    ("overrides", "text"),
    [
        ({"pay_min": "", "pay_max": ""}, b"Give a pay range"),
        ({"deadline": (timezone.localdate() - timedelta(days=2)).isoformat()}, b"in the past"),
    ],
)
def test_form_errors_are_clear_and_write_nothing(client, studio, overrides, text):
    client.force_login(studio)
    response = client.post("/jobs/new", _form(**overrides))
    assert response.status_code == 400 and text in response.content
    assert JobListing.objects.count() == 0


def _who(request_client, who, *, poster, make_user, staff):
    if who == "anonymous":
        return
    user = {"third": lambda: make_user("theo"), "staff": lambda: staff}.get(who)
    if who == "blocked":
        user = make_user("blocky")
        block_create(blocker=poster, blocked=user)
        request_client.force_login(user)
        return
    request_client.force_login(user())


@pytest.mark.parametrize("who", ["anonymous", "third", "blocked", "staff"])
def test_draft_is_private_to_its_poster_and_staff(
    client, studio, staff, make_user, make_listing, who
):
    draft = make_listing(publish=False)
    _who(client, who, poster=studio, make_user=make_user, staff=staff)
    status = client.get(f"/jobs/{draft.pk}").status_code
    assert status == (200 if who == "staff" else 404)


@pytest.mark.parametrize("who", ["anonymous", "third", "blocked", "staff"])
def test_applications_are_private_to_the_two_parties(
    client, studio, artist, staff, make_user, make_listing, who
):
    listing = make_listing()
    application = services.job_application_create(
        applicant=artist, listing=listing, message="Portfolio attached", project_ids=[]
    )
    _who(client, who, poster=studio, make_user=make_user, staff=staff)
    urls = [f"/jobs/applications/{application.pk}", f"/jobs/{listing.pk}/applications"]
    for url in urls:
        response = client.get(url)
        expected = 302 if who == "anonymous" else 404
        assert response.status_code == expected, (who, url)
    response = client.post(f"/jobs/applications/{application.pk}/state", {"state": "hired"})
    assert response.status_code in (302, 404)
    application.refresh_from_db()
    assert application.state == "new"


def test_parties_see_the_application_and_talk(client, studio, artist, make_listing):
    listing = make_listing()
    application = services.job_application_create(
        applicant=artist, listing=listing, message="Portfolio attached", project_ids=[]
    )
    client.force_login(studio)
    assert b"Portfolio attached" in client.get(f"/jobs/{listing.pk}/applications").content
    client.post(f"/jobs/applications/{application.pk}/state", {"state": "shortlisted"})
    response = client.post(f"/jobs/applications/{application.pk}/message")
    assert response.status_code == 302 and response["Location"].startswith("/messages/")
    client.post(response["Location"], {"body": "Can we talk on Friday?"})
    client.force_login(artist)
    page = client.get(f"/jobs/applications/{application.pk}")
    assert b"Shortlisted" in page.content
    assert b"Can we talk on Friday?" in client.get(response["Location"]).content


@pytest.mark.parametrize("who", ["anonymous", "third", "staff"])
def test_only_the_poster_edits_publishes_or_closes(
    client, studio, staff, make_user, make_listing, who
):
    published, draft = make_listing(), make_listing(publish=False)
    _who(client, who, poster=studio, make_user=make_user, staff=staff)
    edit = client.post(f"/jobs/{published.pk}/edit", _form(title="Hijacked"))
    assert edit.status_code in (302, 403) and (who != "anonymous" or "/login" in edit["Location"])
    client.post(f"/jobs/{draft.pk}/publish")
    client.post(f"/jobs/{published.pk}/close")
    published.refresh_from_db()
    draft.refresh_from_db()
    assert (published.title, published.state, draft.state) == (
        "Background painter",
        "published",
        "draft",
    )


def test_only_staff_feature_and_remove_over_http(client, studio, staff, make_listing):
    listing = make_listing()
    client.force_login(studio)
    client.post(f"/jobs/{listing.pk}/feature", {"featured": "1"})
    client.post(f"/jobs/{listing.pk}/remove", {"reason": "mine"})
    listing.refresh_from_db()
    assert (listing.featured, listing.state) == (False, "published")
    client.force_login(staff)
    client.post(f"/jobs/{listing.pk}/remove", {"reason": "Seeks AI training data"})
    listing.refresh_from_db()
    assert listing.state == "removed"
    client.force_login(studio)  # the poster still sees why; the board no longer lists it
    assert b"Seeks AI training data" in client.get(f"/jobs/{listing.pk}").content
    assert b"Background painter" not in client.get("/jobs").content
