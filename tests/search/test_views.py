"""/search and /search/suggest over HTTP: bad input never 500s, limits, robots, crawlers."""

import pytest

pytestmark = pytest.mark.django_db

TABS = ["artists", "work", "posts", "tags"]
BAD_INPUT = [
    "",
    "a",
    "x" * 10_000,
    '"',
    "-",
    "*",
    "OR",
    '" - * OR',
    "'; DROP TABLE posts_post; --",
    "1' OR '1'='1",
    "NEAR(a b",
    "col:x body:y",
    "a\x00b",
    "\u202eevil\u202c",
    "🎨🖌️",
    "watercolour 🎨",
    "-only -exclusions",
    "%_\\",
]


@pytest.fixture
def indexed(artist, write_post, published_project):
    ana = artist("ana", name="Ana Ink", bio="watercolour", status="commissions")
    write_post(ana, "watercolour #heron")
    published_project(ana, "Heron", "watercolour")
    return ana


@pytest.mark.parametrize("q", BAD_INPUT)
def test_any_input_gives_results_or_a_message(client, indexed, q):
    for tab in TABS:
        for sort in ("new", "best"):
            response = client.get("/search", {"q": q, "tab": tab, "sort": sort})
            assert response.status_code == 200
            body = response.content.decode()
            assert "search-results" in body
    shown = (
        'class="empty"',
        'role="alert"',
        "search-artist",
        "project-tile",
        'class="post',
        "search-tags",
    )
    assert any(marker in body for marker in shown)


def test_garbage_filters_and_cursors_are_ignored(client, indexed):
    response = client.get(
        "/search",
        {
            "q": "watercolour",
            "tab": "work",
            "field": "nope",
            "before": "-1",
            "sort": "x",
            "medium": "💥",
        },
    )
    assert response.status_code == 200
    assert "Heron" in response.content.decode()
    response = client.get("/search", {"tab": "nonsense", "status": "'; --"})
    assert response.status_code == 200


def test_results_and_messages_on_the_page(client, indexed):
    body = client.get("/search", {"q": "watercolour", "status": "commissions"}).content.decode()
    assert "Ana Ink" in body and "Open for commissions" in body
    body = client.get("/search", {"q": "-x", "tab": "posts"}).content.decode()
    assert "not only words to leave out" in body
    body = client.get("/search", {"q": "x" * 500, "tab": "posts"}).content.decode()
    assert "Only the first 200 characters" in body
    body = client.get("/search", {"q": "heron", "tab": "work", "sort": "best"}).content.decode()
    assert "never by likes, follows or popularity" in body


def test_search_sends_noindex(client, indexed):
    response = client.get("/search", {"q": "ana"})
    assert "noindex" in response["X-Robots-Tag"]
    assert '<meta name="robots" content="noindex' in response.content.decode()
    assert "noindex" in client.get("/search/suggest", {"q": "an"})["X-Robots-Tag"]


@pytest.mark.parametrize("path", ["/search?q=ana", "/search/suggest?q=an"])
def test_ai_crawlers_get_403(client, indexed, path):
    response = client.get(
        path, HTTP_USER_AGENT="Mozilla/5.0 (compatible; GPTBot/1.2; +https://openai.com/gptbot)"
    )
    assert response.status_code == 403


def test_search_is_rate_limited_per_client(client, indexed, settings):
    settings.KILN_RATE_SEARCH = 3
    settings.KILN_RATE_SUGGEST = 2
    for _ in range(3):
        assert client.get("/search", {"q": "ana"}).status_code == 200
    limited = client.get("/search", {"q": "ana"})
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert "Too many searches" in limited.content.decode()
    other = client.get("/search", {"q": "ana"}, REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 200
    for _ in range(2):
        assert client.get("/search/suggest", {"q": "an"}).status_code == 200
    assert client.get("/search/suggest", {"q": "an"}).status_code == 429


def test_suggest_shapes_people_and_tags(client, indexed):
    people = client.get("/search/suggest", {"q": "@an"}).json()["items"]
    assert people == [{"value": "@ana", "label": "Ana Ink", "detail": "@ana", "url": "/@ana"}]
    tags = client.get("/search/suggest", {"q": "#her"}).json()["items"]
    assert tags == [
        {"value": "#heron", "label": "#heron", "detail": "1 post", "url": "/tags/heron"}
    ]


def test_the_search_box_is_in_the_navigation(client, indexed):
    body = client.get("/discover").content.decode()
    assert 'role="search"' in body and 'action="/search"' in body
    assert 'href="/search"' in body  # the phone's bar
    assert "js/search.js" in body


def test_tags_tab_links_posts_and_projects(client, indexed, published_project):
    from kiln.portfolio.models import ProjectTag

    published_project(indexed, "Crane", labels=[(ProjectTag.Kind.TAG, "heron", "heron")])
    body = client.get("/search", {"q": "#her", "tab": "tags"}).content.decode()
    assert 'href="/tags/heron">#heron</a>' in body and "1 post<" in body
    assert 'href="/portfolio/tags/heron">1 project</a>' in body
