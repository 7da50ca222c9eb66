"""Jobs board: posting rules, expiry, the board's filters, applications and their states."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kiln.core.access import AccessDenied
from kiln.hiring import selectors, services
from kiln.hiring.models import JobApplication, JobListing
from kiln.notifications.models import Notification
from kiln.social.services import block_create
from tests.hiring.conftest import listing_data


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"pay_min": None, "pay_max": None}, "pay_min", "Give a pay range"),
        ({"pay_min": 5000, "pay_max": 100}, "pay_min", "lower to a higher"),
        ({"deadline": timezone.localdate() - timedelta(days=1)}, "deadline", "in the past"),
        ({"currency": "euros"}, "currency", "three-letter"),
        ({"human_made": False}, "human_made", "made by people"),
        (
            {"description": "Write prompts for Midjourney to make our key art."},
            "description",
            "not allowed",
        ),
        ({"title": "Prompt engineer"}, "description", "not allowed"),
        ({"apply_method": "link", "apply_url": ""}, "apply_url", "web address"),
        ({"workplace": "on_site", "location": ""}, "location", "Say where"),
        ({"fields_of_work": ["astrology"]}, "fields_of_work", "from the list"),
    ],
)
def test_bad_listing_input_is_refused_and_writes_nothing(studio, overrides, field, message):
    with pytest.raises(ValidationError) as caught:
        services.job_listing_save(poster=studio, data=listing_data(**overrides))
    assert message in " ".join(caught.value.message_dict[field])
    assert JobListing.objects.count() == 0


def test_unverified_account_cannot_post(make_user):
    from allauth.account.models import EmailAddress

    user = make_user("newbie")
    EmailAddress.objects.filter(user=user).update(verified=False)
    with pytest.raises(AccessDenied, match="Verify your email"):
        services.job_listing_save(poster=user, data=listing_data())


def test_draft_publish_expiry_and_close(studio, make_listing):
    draft = make_listing(publish=False)
    assert draft.state == "draft" and draft.pk not in [j.pk for j in selectors.open_listings()]
    listing = services.job_listing_publish(poster=studio, listing=draft)
    # 30-day deadline: expires at the deadline's end, before the 60-day cap.
    assert listing.expires_at.date() == listing.deadline
    far = make_listing(deadline=timezone.localdate() + timedelta(days=200))
    assert far.expires_at - far.published_at == timedelta(days=60)
    with pytest.raises(ValidationError, match="Only a draft"):
        services.job_listing_publish(poster=studio, listing=listing)
    JobListing.objects.filter(pk=listing.pk).update(expires_at=timezone.now() - timedelta(1))
    assert listing.pk not in [j.pk for j in selectors.open_listings()]
    closed = services.job_listing_close(poster=studio, listing=far)
    assert closed.state == "closed" and closed.closed_at is not None


def test_active_listing_limit_is_a_setting(studio, make_listing, settings):
    settings.KILN_JOBS_MAX_ACTIVE = 2
    make_listing()
    make_listing()
    third = make_listing(publish=False)
    with pytest.raises(ValidationError, match="2 active listings"):
        services.job_listing_publish(poster=studio, listing=third)
    assert JobListing.objects.get(pk=third.pk).state == "draft"


def test_suspended_posters_listings_are_hidden(studio, make_listing, client, third):
    listing = make_listing()
    studio.is_active = False
    studio.save(update_fields=["is_active"])
    assert selectors.board(viewer=third) == []
    client.force_login(third)
    assert client.get(f"/jobs/{listing.pk}").status_code == 404
    assert b"Background painter" not in client.get("/jobs/feed.atom").content


def test_board_filters(make_listing, third):
    a = make_listing(fields_of_work=["illustration"], role_type="contract", workplace="remote")
    b = make_listing(
        title="3D generalist",
        fields_of_work=["3d"],
        role_type="full_time",
        workplace="on_site",
        location="Lyon",
        pay_min=40000,
        pay_max=52000,
        pay_period="year",
    )
    ids = lambda **f: [j.pk for j in selectors.board(viewer=third, **f)]  # noqa: E731
    assert ids() == [b.pk, a.pk]
    assert ids(field="3d") == [b.pk]
    assert ids(field="illustration") == [a.pk]
    assert ids(role_type="contract") == [a.pk]
    assert ids(workplace="on_site") == [b.pk]
    assert ids(min_pay=10000) == [b.pk]


def test_staff_feature_and_remove(studio, staff, make_listing, third):
    listing, other = make_listing(), make_listing(title="Colourist")
    with pytest.raises(AccessDenied):
        services.job_listing_feature(staff=studio, listing=listing, featured=True)
    services.job_listing_feature(staff=staff, listing=listing, featured=True)
    assert [j.pk for j in selectors.board(viewer=third)] == [listing.pk, other.pk]
    with pytest.raises(ValidationError):
        services.job_listing_remove(staff=staff, listing=other, reason=" ")
    services.job_listing_remove(staff=staff, listing=other, reason="Seeks AI training data")
    assert [j.pk for j in selectors.board(viewer=third)] == [listing.pk]


def test_apply_with_projects_notifies_and_states_move_forward(
    studio, artist, make_listing, make_project
):
    listing = make_listing()
    projects = [make_project(artist, f"P{i}") for i in range(2)]
    application = services.job_application_create(
        applicant=artist, listing=listing, message="Hi!", project_ids=[p.pk for p in projects]
    )
    assert set(application.projects.values_list("pk", flat=True)) == {p.pk for p in projects}
    assert Notification.objects.filter(recipient=studio, kind="job_application").count() == 1
    with pytest.raises(ValidationError, match="already applied"):
        services.job_application_create(
            applicant=artist, listing=listing, message="Again", project_ids=[]
        )
    with pytest.raises(ValidationError, match="can't become"):
        services.job_application_set_state(poster=studio, application=application, state="hired")
    with pytest.raises(AccessDenied):
        services.job_application_set_state(
            poster=artist, application=application, state="shortlisted"
        )
    shortlisted = services.job_application_set_state(
        poster=studio, application=application, state="shortlisted"
    )
    assert shortlisted.state == "shortlisted" and shortlisted.shortlisted_at is not None
    hired = services.job_application_set_state(
        poster=studio, application=shortlisted, state="hired"
    )
    assert hired.hired_at is not None
    assert Notification.objects.filter(recipient=artist, kind="application_update").count() == 2


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("six_projects", "at most 5"),
        ("someone_elses_project", "your own published"),
        ("draft_project", "your own published"),
        ("no_message", "short message"),
        ("own_listing", "your own listing"),
        ("closed", "closed"),
        ("link_listing", "studio's own site"),
    ],
)
def test_bad_applications_are_refused(
    studio, artist, third, make_listing, make_project, case, message
):
    listing = make_listing(
        **(
            {"apply_method": "link", "apply_url": "https://x.example"}
            if case == "link_listing"
            else {}
        )
    )
    applicant, text, ids = artist, "Hello", []
    if case == "six_projects":
        ids = [make_project(artist, f"P{i}").pk for i in range(6)]
    elif case == "someone_elses_project":
        ids = [make_project(third).pk]
    elif case == "draft_project":
        ids = [make_project(artist, state="draft").pk]
    elif case == "no_message":
        text = "  "
    elif case == "own_listing":
        applicant = studio
    elif case == "closed":
        listing = services.job_listing_close(poster=studio, listing=listing)
    with pytest.raises(ValidationError, match=message):
        services.job_application_create(
            applicant=applicant, listing=listing, message=text, project_ids=ids
        )
    assert JobApplication.objects.count() == 0


def test_blocked_artist_cannot_apply(studio, artist, make_listing):
    listing = make_listing()
    block_create(blocker=studio, blocked=artist)
    with pytest.raises(AccessDenied):
        services.job_application_create(
            applicant=artist, listing=listing, message="Hi", project_ids=[]
        )
