"""Hiring fixtures: a studio, an artist with published projects, a client, a staff member."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.media.conftest import exiftool  # noqa: F401 - shared fixture


@pytest.fixture
def studio(make_user):
    return make_user("studio", display_name="North Studio")


@pytest.fixture
def artist(make_user):
    return make_user("ana", display_name="Ana Ink")


@pytest.fixture
def client_user(make_user):
    return make_user("cleo", display_name="Cleo Client")


@pytest.fixture
def third(make_user):
    return make_user("theo")


@pytest.fixture
def staff(make_user):
    user = make_user("root")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def make_project(db):
    from kiln.portfolio.models import Project

    def make(owner, title="Study", state="published"):
        return Project.objects.create(
            owner=owner,
            title=title,
            state=state,
            published_at=timezone.now() if state == "published" else None,
        )

    return make


def listing_data(**overrides) -> dict:
    data = {
        "title": "Background painter",
        "organisation": "North Studio",
        "description": "Paint backgrounds for a hand-drawn animated short film, in gouache.",
        "fields_of_work": ["illustration", "animation"],
        "role_type": "contract",
        "workplace": "remote",
        "location": "",
        "pay_min": 3000,
        "pay_max": 4500,
        "currency": "eur",
        "pay_period": "month",
        "deadline": timezone.localdate() + timedelta(days=30),
        "apply_method": "kiln",
        "apply_url": "",
        "human_made": True,
    }
    data.update(overrides)
    return data


@pytest.fixture
def make_listing(studio):
    from kiln.hiring import services

    def make(poster=None, publish=True, **overrides):
        poster = poster or studio
        listing = services.job_listing_save(poster=poster, data=listing_data(**overrides))
        if publish:
            listing = services.job_listing_publish(poster=poster, listing=listing)
        return listing

    return make
