"""The pages: Following, Discover, tags; htmx fragments, the new-posts pill, bad input."""

import re

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana_follows_bea(active_user, follow, publish, client):
    ana, bea = active_user("ana"), active_user("bea")
    follow(ana, bea)
    posts = [publish(bea, f"post number {i}") for i in range(25)]
    client.force_login(ana)
    return ana, bea, posts


def test_home_lists_newest_first_with_infinite_scroll(ana_follows_bea, client):
    _, _, posts = ana_follows_bea
    html = client.get("/").content.decode()
    assert "Following" in html and "newest first" in html
    assert html.index(f'id="item-{posts[-1].pk}"') < html.index(f'id="item-{posts[-2].pk}"')
    assert f'id="item-{posts[4].pk}"' not in html  # page of 20
    assert f'hx-get="/?before={posts[5].pk}"' in html
    assert 'hx-trigger="revealed"' in html
    assert "<script>" not in html  # CSP: static scripts only
    assert "js/timelines.js" in html


def test_older_fragment_continues_the_list(ana_follows_bea, client):
    _, _, posts = ana_follows_bea
    fragment = client.get(f"/?before={posts[5].pk}", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment
    assert [f'id="item-{p.pk}"' in fragment for p in posts[:5]] == [True] * 5
    assert "caught up" in fragment  # no further loader


def test_new_posts_pill_counts_and_loads_newer(ana_follows_bea, client, publish):
    ana, bea, posts = ana_follows_bea
    newest = posts[-1].pk
    assert client.get(f"/?after={newest}&pill=1", HTTP_HX_REQUEST="true").content.strip() == b""
    fresh = [publish(bea, "fresh"), publish(bea, "fresher")]
    pill = client.get(f"/?after={newest}&pill=1", HTTP_HX_REQUEST="true").content.decode()
    assert "2 new posts" in pill
    assert f'hx-get="/?after={newest}"' in pill
    loaded = client.get(f"/?after={newest}", HTTP_HX_REQUEST="true").content.decode()
    assert loaded.index(f'id="item-{fresh[1].pk}"') < loaded.index(f'id="item-{fresh[0].pk}"')
    assert f'id="item-{newest}"' not in loaded  # nothing the reader already has
    assert f"after={fresh[1].pk}&amp;pill=1" in loaded  # the poller moves to the new top


def test_garbled_cursors_are_ignored_not_errors(ana_follows_bea, client):
    for query in ("before=abc", "after=-5", "before=99999999999999999999999", "limit=zz"):
        response = client.get(f"/?{query}")
        assert response.status_code == 200, query
    for path in ("/?after=abc&pill=1", "/discover?after=%00&pill=1", "/tags/ink?after=x&pill=1"):
        response = client.get(path, HTTP_HX_REQUEST="true")
        assert response.status_code == 200, path
        assert b"new post" not in response.content


def test_json_variant(ana_follows_bea, client):
    _, _, posts = ana_follows_bea
    data = client.get("/?format=json&limit=3").json()
    assert [item["id"] for item in data["items"]] == [str(p.pk) for p in posts[::-1][:3]]
    assert data["next"] == str(posts[-3].pk)


def test_discover_lists_public_posts_and_projects_newest_first(active_user, publish, client):
    from kiln.portfolio.models import Project, ProjectTag

    bea = active_user("bea")
    bea.profile.fields_of_work = ["illustration"]
    bea.profile.save()
    cy = active_user("cy")
    cy.profile.fields_of_work = ["photography"]
    cy.profile.save()
    public = publish(bea, "ink study")
    private = publish(bea, "friends only", visibility="followers")
    photo = publish(cy, "a photo")
    project = Project.objects.create(
        owner=cy, title="Harbour series", state="published", published_at=timezone.now()
    )
    ProjectTag.objects.create(project=project, kind="category", slug="landscapes", name="L")
    ProjectTag.objects.create(project=project, kind="field", slug="photography", name="P")
    Project.objects.create(owner=cy, title="Secret draft")

    html = client.get("/discover").content.decode()
    assert "newest first" in html
    assert html.index("Harbour series") < html.index("a photo") < html.index("ink study")
    assert "friends only" not in html and "Secret draft" not in html
    assert f'id="item-{private.pk}"' not in html

    by_field = client.get("/discover?field=illustration").content.decode()
    assert f'id="item-{public.pk}"' in by_field
    assert f'id="item-{photo.pk}"' not in by_field and "Harbour series" not in by_field
    by_category = client.get("/discover?category=landscapes").content.decode()
    assert "Harbour series" in by_category and "ink study" not in by_category


def test_discover_refuses_unknown_filters_clearly(active_user, publish, client):
    publish(active_user("bea"), "still listed")
    response = client.get("/discover?field=nope&category=<script>")
    assert response.status_code == 200
    html = response.content.decode()
    assert "That field of work does not exist" in html
    assert "That category does not exist" in html
    assert "still listed" in html and "<script>" not in html


def test_discover_paging_merges_streams_without_gaps(active_user, publish):
    from kiln.portfolio.models import Project
    from kiln.timelines.selectors import discover_page, project_key

    bea = active_user("bea")
    expected = []  # (key, pk): posts by id, projects by publication key
    for i in range(7):
        post = publish(bea, f"p{i}")
        expected.append((post.pk, post.pk))
        project = Project.objects.create(
            owner=bea, title=f"j{i}", state="published", published_at=timezone.now()
        )
        expected.append((project_key(project), project.pk))
    seen, cursor = [], None
    while True:
        page = discover_page(viewer=bea, before=cursor, size=4)
        seen += [item["id"] for item in page.items]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == [pk for _, pk in sorted(expected, reverse=True)]


def test_discover_places_projects_by_publication(active_user, publish, client):
    import datetime as dt

    from kiln.portfolio.models import Project

    bea = active_user("bea")
    client.force_login(active_user("ana"))  # logged in: never the anonymous page cache
    draft = Project.objects.create(owner=bea, title="Long in the making")  # drafted first
    older = publish(bea, "older post")
    top = client.get("/discover").content.decode()
    assert "Long in the making" not in top  # drafts are not listed
    newest = re.search(r'id="new-posts"[^>]*hx-get="([^"]+)"', top).group(1).replace("&amp;", "&")
    draft.state, draft.published_at = "published", timezone.now() + dt.timedelta(seconds=1)
    draft.save()
    # Published after the post, so it comes first and the pill announces it.
    assert "1 new post" in client.get(newest, HTTP_HX_REQUEST="true").content.decode()
    html = client.get("/discover").content.decode()
    assert html.index("Long in the making") < html.index(f'id="item-{older.pk}"')


def test_tag_page(active_user, publish, client):
    from kiln.posts.models import PostTag

    bea = active_user("bea")
    tagged = publish(bea, "#Ink study")
    PostTag.objects.create(post=tagged, tag="ink")
    other = publish(bea, "no tag")
    html = client.get("/tags/Ink").content.decode()
    assert "#ink" in html and f'id="item-{tagged.pk}"' in html
    assert f'id="item-{other.pk}"' not in html


def test_tag_page_bad_input(client, db):
    response = client.get("/tags/" + "x" * 101)
    assert response.status_code == 404
    assert "That is not a hashtag." in response.content.decode()


def test_home_requires_login_for_the_timeline(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert 'id="timeline-items"' not in response.content.decode()  # the landing page


def test_anonymous_discover_is_cached_whole(
    active_user, publish, client, django_assert_num_queries
):
    first = publish(active_user("bea"), "first")
    html = client.get("/discover").content.decode()
    assert f'id="item-{first.pk}"' in html
    second = publish(active_user("cy"), "second")
    with django_assert_num_queries(0):
        cached = client.get("/discover").content.decode()
    assert cached == html and f'id="item-{second.pk}"' not in cached
    # A visitor with a session (or any cookie) always gets a fresh page.
    client.cookies["sessionid"] = "x"
    assert f'id="item-{second.pk}"' in client.get("/discover").content.decode()


def test_empty_timeline_pill_announces_the_first_post(active_user, follow, publish, client):
    ana, bea = active_user("ana"), active_user("bea")
    follow(ana, bea)
    client.force_login(ana)
    html = client.get("/").content.decode()
    pill_url = (
        re.search(r'id="new-posts"[^>]*hx-get="([^"]+)"', html).group(1).replace("&amp;", "&")
    )
    post = publish(bea, "first ever")
    assert "1 new post" in client.get(pill_url, HTTP_HX_REQUEST="true").content.decode()
    load_url = pill_url.replace("&pill=1", "")
    assert f'id="item-{post.pk}"' in client.get(load_url, HTTP_HX_REQUEST="true").content.decode()


def test_discover_and_tag_json_hold_statuses(active_user, publish, client):
    from kiln.portfolio.models import Project

    bea = active_user("bea")
    post = publish(bea, "glaze #ink")
    from kiln.posts.models import PostTag

    PostTag.objects.create(post=post, tag="ink")
    project = Project.objects.create(
        owner=bea, title="Vases", state="published", published_at=timezone.now()
    )
    items = client.get("/discover?format=json").json()["items"]
    kinds = {item["kind"]: item for item in items}
    assert kinds["post"]["status"]["id"] == str(post.pk)
    assert kinds["post"]["status"]["account"]["username"] == "bea"
    assert kinds["project"]["id"] == str(project.pk) and "status" not in kinds["project"]
    tagged = client.get("/tags/ink?format=json").json()["items"]
    assert [item["id"] for item in tagged] == [str(post.pk)]
    assert tagged[0]["content"] == "glaze #ink"
