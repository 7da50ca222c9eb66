import time

import pytest

from kiln.shield.crawlers import (
    SHIPPED_LIST,
    CrawlerMatcher,
    ai_crawler_token,
    load_entries,
    parse_crawler_list,
)
from tests.shield.conftest import BROWSER_USER_AGENTS, SEARCH_ENGINE_USER_AGENTS


@pytest.fixture
def matcher():
    return CrawlerMatcher(load_entries(include_database=False))


def test_shipped_list_covers_every_shared_agent(ai_robots_agents, ai_agents):
    assert len(ai_robots_agents) == 166 and len(ai_agents) == 165
    shipped = {entry.token.lower() for entry in parse_crawler_list(SHIPPED_LIST.read_text())}
    missing = [name for name in ai_agents if name.lower() not in shipped]
    assert missing == []


def test_every_agent_is_recognised_in_the_shapes_crawlers_send(matcher, ai_agents):
    missed = []
    for name in ai_agents:
        shapes = [
            name,
            name.upper(),
            f"{name}/1.0",
            f"Mozilla/5.0 (compatible; {name}/1.0; +https://example.com/bot)",
            f"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; {name}/2.1; +https://example.com)",
        ]
        missed += [ua for ua in shapes if matcher.match(ua) is None]
    assert missed == []


def test_specific_tokens_also_match_as_a_trailing_product(matcher, ai_agents):
    generic = {e.token.lower() for e in load_entries(include_database=False) if e.strict}
    chrome = BROWSER_USER_AGENTS[0]
    missed = [
        name
        for name in ai_agents
        if name.lower() not in generic and matcher.match(f"{chrome} {name}/1.0") is None
    ]
    assert missed == []


@pytest.mark.parametrize("user_agent", BROWSER_USER_AGENTS)
def test_browsers_pass(matcher, user_agent):
    assert matcher.match(user_agent) is None


@pytest.mark.parametrize("user_agent", SEARCH_ENGINE_USER_AGENTS)
def test_search_engines_pass(matcher, user_agent):
    assert matcher.match(user_agent) is None


def test_enough_real_agents_are_tested():
    assert len(BROWSER_USER_AGENTS) >= 20 and len(SEARCH_ENGINE_USER_AGENTS) >= 5


@pytest.mark.parametrize(
    "user_agent",
    [
        "Mozilla/5.0 (compatible; Barcode Scanner)",  # "Code" inside a word
        "Mozilla/5.0 (X11; Linux x86_64) Gecko Firefox/133.0 Operatorless/1",
        "Mozilla/5.0 (compatible; Sogou web spider/4.0)",
        "Mozilla/5.0 CursorPointer/1.0",
        "NotGPTBotAtAll/1.0",
        "Mozilla/5.0 (compatible; MyGPTBotFan/1.0)",
    ],
)
def test_tokens_match_whole_product_tokens_only(matcher, user_agent):
    assert matcher.match(user_agent) is None


@pytest.mark.parametrize(
    "user_agent",
    ["Spider", "Spider/1.0", "Code/1.2 (X)", "Mozilla/5.0 (Operator; +https://x)", "x (a; Trae/1)"],
)
def test_generic_tokens_match_in_product_positions(matcher, user_agent):
    assert matcher.match(user_agent) is not None


@pytest.mark.parametrize(
    "user_agent",
    [
        "",
        " ",
        "\x00\x01\x02",
        "((((;;;;",
        "/" * 10,
        "é" * 100,
        "a" * 8192,
        "a " * 4096,
        "(;" * 4096,
    ],
)
def test_malformed_empty_and_huge_agents_never_fail(matcher, user_agent):
    assert matcher.match(user_agent) is None


def test_matching_is_fast(matcher):
    agents = BROWSER_USER_AGENTS + SEARCH_ENGINE_USER_AGENTS
    start = time.perf_counter()
    rounds = 200
    for _ in range(rounds):
        for ua in agents:
            matcher.match(ua)
    per_call = (time.perf_counter() - start) / (rounds * len(agents))
    # Measured about 20 µs per browser UA on the dev box; 500 µs leaves room for slow CI.
    assert per_call < 500e-6


@pytest.mark.django_db
def test_settings_and_admin_tokens_are_added(settings):
    from kiln.shield.crawlers import crawler_matcher_reset
    from kiln.shield.services import crawler_token_create

    assert ai_crawler_token("HarvestBot/1.0") is None
    settings.KILN_EXTRA_AI_CRAWLERS = ["HarvestBot"]
    crawler_matcher_reset()
    assert ai_crawler_token("Mozilla/5.0 (compatible; harvestbot/1.0)").lower() == "harvestbot"
    crawler_token_create(token="PixelHoover")
    crawler_matcher_reset()
    assert ai_crawler_token("PixelHoover/3").lower() == "pixelhoover"


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["", "   ", "bad\ttoken", "(evil)", "x" * 81])
def test_bad_admin_tokens_are_refused(token):
    from django.core.exceptions import ValidationError

    from kiln.shield.models import CrawlerToken
    from kiln.shield.services import crawler_token_create

    with pytest.raises(ValidationError):
        crawler_token_create(token=token)
    assert CrawlerToken.objects.count() == 0


@pytest.mark.django_db
def test_requests_cost_no_query_once_built(client, django_assert_num_queries):
    from kiln.shield import refusals
    from kiln.shield.crawlers import crawler_matcher

    crawler_matcher()
    refusals._last_flush[0] = time.monotonic()  # refusal counts are written every 10 s, not now
    with django_assert_num_queries(0):
        assert client.get("/robots.txt").status_code == 200
        assert client.get("/", HTTP_USER_AGENT="GPTBot/1.1").status_code == 403


@pytest.mark.django_db
def test_admin_changes_reach_other_processes_through_the_cache(monkeypatch):
    from django.core.cache import cache

    from kiln.shield import crawlers
    from kiln.shield.models import CrawlerToken

    crawlers.crawler_matcher()
    CrawlerToken.objects.create(token="OtherProcessBot")  # as if saved by another process
    assert crawlers.ai_crawler_token("OtherProcessBot/1") is None
    cache.set(crawlers.VERSION_KEY, 12345)  # …which bumped the shared version
    monkeypatch.setattr(crawlers, "VERSION_CHECK_SECONDS", 0)
    assert crawlers.ai_crawler_token("OtherProcessBot/1") is not None


@pytest.mark.django_db
def test_admin_adds_a_token_and_it_is_refused_at_once(client, admin_user, settings):
    client.force_login(admin_user)
    url = f"/{settings.KILN_ADMIN_PATH}/shield/crawlertoken/add/"
    response = client.post(url, {"token": "SneakyHarvester", "note": "seen in logs"})
    assert response.status_code == 302
    assert client.get("/", HTTP_USER_AGENT="SneakyHarvester/0.1").status_code == 403
    bad = client.post(url, {"token": "<script>", "note": ""})
    assert bad.status_code == 200 and b"errornote" in bad.content


APPLEBOT = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)"
)


@pytest.mark.django_db
def test_applebot_is_served_like_googlebot_and_follows_indexing_consent(client, make_user):
    make_user("open")
    make_user("private", allow_search_indexing=False)
    for agent in (APPLEBOT, "Mozilla/5.0 (compatible; Googlebot/2.1)"):
        open_page = client.get("/@open", HTTP_USER_AGENT=agent)
        private_page = client.get("/@private", HTTP_USER_AGENT=agent)
        assert open_page.status_code == private_page.status_code == 200
        robots_meta = '<meta name="robots" content="noai, noimageai, noindex'
        assert robots_meta not in open_page.content.decode()
        assert robots_meta in private_page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["Applebot-Extended", "Google-Extended"])
def test_the_ai_training_controls_are_refused(client, token):
    assert (
        client.get("/", HTTP_USER_AGENT=f"Mozilla/5.0 (compatible; {token}/1.0)").status_code == 403
    )
    robots = client.get("/robots.txt").content.decode()
    ai_group = robots.split("# Search engines")[0]
    assert f"User-agent: {token}\n" in ai_group
    search_group = robots.split("# Search engines")[1].split("# Every other")[0]
    assert "User-agent: Applebot\n" in search_group and token not in search_group
