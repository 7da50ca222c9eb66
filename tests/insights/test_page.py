"""The insights page shows only the signed-in artist's own numbers, as an SVG chart and
tables; the view count on a work is shown to its artist only."""

import pytest
from django.utils import timezone

from kiln.insights.models import DailyViews
from kiln.social.services import block_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def work(work, mira):
    DailyViews.objects.create(
        kind="project", object_id=work.pk, owner=mira, day=timezone.now().date(), views=41
    )
    return work


def test_anonymous_is_sent_to_log_in(client):
    response = client.get("/insights")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_artist_sees_a_chart_and_their_work(client, mira, work):
    client.force_login(mira)
    html = client.get("/insights").content.decode()
    assert "<svg" in html and 'class="bar-project"' in html
    assert "Tide" in html and ">41<" in html


def test_another_user_sees_only_their_own_empty_insights(client, make_user, work):
    client.force_login(make_user("ben"))
    html = client.get("/insights").content.decode()
    assert "Tide" not in html and "No views of your work yet." in html


def test_a_blocked_user_and_staff_see_no_one_elses_numbers(client, make_user, mira, work):
    ben = make_user("ben")
    block_create(blocker=mira, blocked=ben)
    client.force_login(ben)
    assert "Tide" not in client.get("/insights").content.decode()
    staff = make_user("staffer")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    client.force_login(staff)
    assert "Tide" not in client.get("/insights").content.decode()


def test_the_view_count_on_a_work_is_for_its_artist_only(client, make_user, mira, work):
    url = f"/@mira/projects/{work.pk}"
    assert "41 views" not in client.get(url).content.decode()
    client.force_login(make_user("ben"))
    assert "41 views" not in client.get(url).content.decode()
    client.force_login(mira)
    assert "41 views" in client.get(url).content.decode()


def test_bad_methods_change_nothing(client, mira, work):
    client.force_login(mira)
    assert client.post("/insights").status_code == 405
    assert DailyViews.objects.get().views == 41
