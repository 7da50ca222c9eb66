"""Best match pages: every visible match exactly once, in one order, on both databases."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser

from kiln.search import engines, selectors

pytestmark = pytest.mark.django_db
ANON = AnonymousUser()


def _walk(search, size):
    """Every page of a best-match search, following the cursors: (ids in order, pages)."""
    ids, pages, cursor = [], 0, None
    while True:
        result = search(rank_from=cursor, size=size)
        assert result.cursor_param == "from"
        ids += [getattr(item, "pk", item) for item in result.items]
        pages += 1
        if result.next_cursor is None:
            return ids, pages
        assert len(result.items) == size  # only the last page is short
        cursor = selectors.parse_rank_cursor(str(result.next_cursor))
        assert cursor is not None
        assert pages < 50


@pytest.fixture
def herons(artist, write_post):
    """31 posts that match "heron" with different strengths (and many ties), 5 that the
    viewer may not see among them, and posts that don't match."""
    from kiln.social.services import block_create

    ana, ben = artist("ana"), artist("ben")
    visible = []
    for i in range(26):
        words = " ".join(["heron"] * (1 + i % 4) + ["pond"] * (i % 5))
        visible.append(write_post(ana, f"{words} study {i}").pk)
        if i % 5 == 0:
            write_post(ben, f"heron {i} by someone the reader blocked")
        write_post(ana, f"a kingfisher {i}")
    reader = artist("reader")
    block_create(blocker=reader, blocked=ben)
    return reader, visible


@pytest.mark.parametrize("candidates", [500, 4])  # 4: each page ranks a longer list
def test_post_pages_cover_every_match_once_in_the_one_page_order(herons, monkeypatch, candidates):
    monkeypatch.setattr(engines, "CANDIDATES", candidates)
    reader, visible = herons

    def search(**kw):
        return selectors.search_posts(viewer=reader, q="heron", sort="best", hydrate=False, **kw)

    everything = search(size=100).items
    assert sorted(everything) == sorted(visible)
    for size in (1, 5, 7, 26):
        ids, pages = _walk(search, size)
        assert ids == everything  # no duplicates, no gaps, same order as one long page
        assert pages == -(-26 // size)


def test_a_post_written_after_the_first_page_does_not_shift_the_pages(herons, write_post):
    reader, visible = herons
    first = selectors.search_posts(viewer=reader, q="heron", sort="best", hydrate=False, size=10)
    newcomer = write_post(reader, "heron heron heron heron heron").pk  # the best match now
    ids = list(first.items)
    cursor = selectors.parse_rank_cursor(str(first.next_cursor))
    while cursor is not None:
        page = selectors.search_posts(
            viewer=reader, q="heron", sort="best", hydrate=False, size=10, rank_from=cursor
        )
        ids += page.items
        cursor = page.next_cursor and selectors.parse_rank_cursor(str(page.next_cursor))
    assert sorted(ids) == sorted(visible)
    assert newcomer not in ids
    fresh = selectors.search_posts(viewer=reader, q="heron", sort="best", hydrate=False, size=10)
    assert fresh.items[0] == newcomer  # a new search ranks it


def test_work_and_artist_pages(artist, published_project):
    ana = artist("ana", bio="heron painter")
    projects = [
        published_project(ana, f"Heron {i}", "heron " * (i % 3) + f"reeds {i}").pk for i in range(9)
    ]
    ids, pages = _walk(
        lambda **kw: selectors.search_work(
            viewer=ANON, q="heron", sort="best", hydrate=False, **kw
        ),
        size=4,
    )
    assert sorted(ids) == sorted(projects) and pages == 3
    people = [artist(f"heron{i}", name=f"Heron {i}").pk for i in range(7)]
    ids, pages = _walk(lambda **kw: selectors.search_artists(viewer=ANON, q="heron", **kw), size=3)
    assert sorted(ids) == sorted([*people, ana.pk]) and pages == 3


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "12",
        ".5",
        "5.",
        "a.b",
        "-1.5",
        "5.-1",
        "0.5",
        "5.0",
        "1.99999999",
        "٣.٣",
        "9" * 30 + ".1",
    ],
)
def test_bad_rank_cursors_mean_the_first_page(raw):
    assert selectors.parse_rank_cursor(raw) is None


def test_the_page_links_to_the_next_best_match_page(client, herons):
    reader, visible = herons
    client.force_login(reader)
    seen = []
    url = "/search?tab=posts&q=heron&sort=best"
    for _ in range(3):  # 26 results, 24 a page: two pages
        response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        seen += [int(pk) for pk in re.findall(r'data-post-id="(\d+)"', body)]
        more = re.search(r'href="\?([^"]*from=[\d.]+)">More', body)
        if more is None:
            break
        url = "/search?" + more.group(1).replace("&amp;", "&")
        assert url.count("from=") == 1
    assert sorted(seen) == sorted(visible)
    for forged in ("x", "1.999999", "-3.2", "%00"):
        response = client.get(
            "/search", {"tab": "posts", "q": "heron", "sort": "best", "from": forged}
        )
        assert response.status_code == 200
