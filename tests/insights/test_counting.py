"""Views are counted in the shared store (never the database) by a daily salted hash; bots,
preview fetchers, AI agents, htmx fragments and the artist's own visits are not counted; the
worker's flush writes absolute day totals, so running it twice changes nothing."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kiln.insights import selectors
from kiln.insights.models import DailyViews
from kiln.insights.services import views_flush
from kiln.posts.services import post_create

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) AppleWebKit/605.1.15 Version/17.0 Safari/604.1"


def _rows():
    return {(r.kind, r.object_id): (r.views, r.unique_viewers) for r in DailyViews.objects.all()}


def test_a_page_view_writes_nothing_to_the_database(client, work):
    url = f"/@mira/projects/{work.pk}"
    client.get(url, HTTP_USER_AGENT=FIREFOX)  # warm: sessions, salts, caches
    with CaptureQueriesContext(connection) as queries:
        client.get(url, HTTP_USER_AGENT=FIREFOX)
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in {"INSERT", "UPDATE"}]
    assert writes == []
    assert DailyViews.objects.count() == 0  # until the worker flushes


def test_views_and_unique_viewers_per_work_post_and_profile(client, mira, ben, work):
    post = post_create(author=mira, text="New print is up")
    for agent in (FIREFOX, FIREFOX, SAFARI):
        client.get(f"/@mira/projects/{work.pk}", HTTP_USER_AGENT=agent)
    client.get(f"/@mira/posts/{post.pk}", HTTP_USER_AGENT=FIREFOX)
    client.get("/@mira", HTTP_USER_AGENT=FIREFOX)
    client.get("/@mira/posts", HTTP_USER_AGENT=FIREFOX)
    client.force_login(ben)
    client.get(f"/@mira/projects/{work.pk}", HTTP_USER_AGENT=FIREFOX)
    assert views_flush() == 3
    assert _rows() == {
        ("project", work.pk): (4, 3),  # two anonymous agents and Ben
        ("post", post.pk): (1, 1),
        ("profile", mira.pk): (2, 1),
    }


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/120.0 Safari/537.36",
        "python-requests/2.32",
        "",
    ],
)
def test_bots_previews_and_ai_agents_are_not_counted(client, work, agent):
    client.get(f"/@mira/projects/{work.pk}", HTTP_USER_AGENT=agent)
    views_flush()
    assert _rows() == {}


def test_the_artists_own_views_htmx_fragments_and_errors_are_not_counted(client, mira, work):
    client.get(f"/@mira/projects/{work.pk}", HTTP_USER_AGENT=FIREFOX, HTTP_HX_REQUEST="true")
    client.get(f"/@mira/projects/{work.pk + 999}", HTTP_USER_AGENT=FIREFOX)  # 404
    client.get(f"/@nobody/projects/{work.pk}", HTTP_USER_AGENT=FIREFOX)  # wrong owner: 404
    client.force_login(mira)
    client.get(f"/@mira/projects/{work.pk}", HTTP_USER_AGENT=FIREFOX)
    client.get("/@Mira", HTTP_USER_AGENT=FIREFOX)
    views_flush()
    assert _rows() == {}


def test_flushing_twice_writes_the_same_totals(client, work):
    client.get(f"/@mira/projects/{work.pk}", HTTP_USER_AGENT=FIREFOX)
    views_flush()
    views_flush()
    client.get(f"/@mira/projects/{work.pk}", HTTP_USER_AGENT=FIREFOX)
    views_flush()
    assert _rows() == {("project", work.pk): (2, 1)}


def test_the_store_keeps_no_address_and_forgets_old_days(client, work, insights_store):
    client.get(f"/@mira/projects/{work.pk}", HTTP_USER_AGENT=FIREFOX, REMOTE_ADDR="203.0.113.9")
    conn = insights_store._conn()
    dump = "\n".join(conn.iterdump())
    assert "203.0.113.9" not in dump and "Firefox" not in dump
    salt_before = conn.execute("SELECT salt FROM salts").fetchone()[0]
    views_flush(now=timezone.now() + dt.timedelta(days=3))
    assert conn.execute("SELECT COUNT(*) FROM seen").fetchone()[0] == 0
    assert (
        conn.execute("SELECT COUNT(*) FROM salts WHERE salt = ?", (salt_before,)).fetchone()[0] == 0
    )


def test_rows_older_than_90_days_are_dropped(mira, work):
    old = timezone.now().date() - dt.timedelta(days=91)
    DailyViews.objects.create(kind="project", object_id=work.pk, owner=mira, day=old, views=5)
    views_flush()
    assert DailyViews.objects.count() == 0


def test_series_covers_90_days_with_zeros(mira, work):
    today = timezone.now().date()
    DailyViews.objects.create(kind="project", object_id=work.pk, owner=mira, day=today, views=7)
    series = selectors.daily_series(owner=mira)
    assert len(series) == 90 and series[-1]["project"] == 7 and series[0]["project"] == 0
    assert selectors.project_views(project_id=work.pk) == 7
