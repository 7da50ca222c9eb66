import io

import pytest
from django.test import override_settings
from PIL import Image

from kiln.shield.models import RefusalTally
from kiln.shield.refusals import refusal_tally_flush
from tests.shield.conftest import BROWSER_USER_AGENTS, SEARCH_ENGINE_USER_AGENTS

# Pages, the API, renditions, static files and feeds: the refusal comes before routing.
EVERY_KIND_OF_ROUTE = [
    "/",
    "/@ana",
    "/@ana/projects/1",
    "/discover",
    "/api/v1/timelines/public",
    "/api/registry/v1/openapi.json",
    "/media/r/1-0123456789abcdef0123/" + "a" * 40 + ".webp",
    "/media/avatars/x.webp",
    "/static/kiln.css",
    "/@ana.rss",
    "/feeds/latest.atom",
    "/accounts/login/",
]


@pytest.fixture(autouse=True)
def frozen_rate_clock(monkeypatch):
    """Rate windows slide over 60 s buckets; a frozen clock keeps a test inside one bucket."""
    import kiln.shield.ratelimit as ratelimit

    monkeypatch.setattr(ratelimit, "clock", lambda: 1_800_000_010.0)


def tally(reason: str) -> int:
    refusal_tally_flush()
    row = RefusalTally.objects.filter(reason=reason).first()
    return row.count if row else 0


@pytest.mark.django_db
def test_every_ai_agent_gets_a_403_on_every_kind_of_route(client, ai_agents):
    """Link-preview fetchers on the list (facebookexternalhit) are the one exception, on a
    shared page only: they get its card tags and nothing else (kiln/shield/previews.py)."""
    from kiln.shield.previews import is_preview_path, link_preview_agent

    failures, refused = [], 0
    for name in ai_agents:
        for path in EVERY_KIND_OF_ROUTE:
            response = client.get(path, HTTP_USER_AGENT=name)
            if link_preview_agent(name) and is_preview_path(path):
                if response.status_code == 200 and b"<body></body>" not in response.content:
                    failures.append((name, path, "more than the card"))
                continue
            refused += 1
            if response.status_code != 403:
                failures.append((name, path, response.status_code))
    assert failures == []
    assert tally(RefusalTally.Reason.AI_CRAWLER) == refused


@pytest.mark.django_db
@pytest.mark.parametrize("path", EVERY_KIND_OF_ROUTE)
def test_each_route_refuses_a_crawler_with_an_explanation(client, path):
    ua = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.1; +https://openai.com/gptbot)"
    response = client.get(path, HTTP_USER_AGENT=ua)
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "refuses AI crawlers" in body and "GPTBot" in body and "/protection" in body
    assert response["X-Robots-Tag"] == "noai, noimageai"
    assert response["tdm-reservation"] == "1"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/robots.txt", "/ai.txt", "/.well-known/tdmrep.json", "/.well-known/tdm-policy.json"]
)
def test_the_reservations_themselves_are_readable_by_ai_agents(client, path):
    response = client.get(path, HTTP_USER_AGENT="GPTBot/1.1")
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("user_agent", BROWSER_USER_AGENTS + SEARCH_ENGINE_USER_AGENTS)
def test_people_and_search_engines_get_pages(client, user_agent):
    assert client.get("/", HTTP_USER_AGENT=user_agent).status_code == 200
    assert client.get("/protection", HTTP_USER_AGENT=user_agent).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "user_agent",
    ["", " ", "\t", "((((", ";;;;", "Mozilla/5.0 (" * 300, "x" * 8192, "Ω≈ç√∫" * 400, "\x7f\x01"],
)
def test_malformed_empty_and_huge_user_agents_never_cause_errors(client, user_agent):
    response = client.get("/", HTTP_USER_AGENT=user_agent)
    assert response.status_code == 200


@pytest.mark.django_db
def test_missing_user_agent_header_is_fine(client):
    assert client.get("/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/protection", "/robots.txt", "/no-such-page", "/healthz"])
def test_every_response_carries_the_reservation_headers(client, path):
    response = client.get(path)
    assert "noai" in response["X-Robots-Tag"] and "noimageai" in response["X-Robots-Tag"]
    assert "noimageindex" not in response["X-Robots-Tag"]  # not an image
    assert response["tdm-reservation"] == "1"
    assert response["tdm-policy"] == "http://testserver/.well-known/tdm-policy.json"


@pytest.mark.django_db
def test_html_pages_carry_the_meta_tags(client):
    html = client.get("/").content.decode()
    assert '<meta name="robots" content="noai, noimageai">' in html
    assert '<meta name="tdm-reservation" content="1">' in html


def _webp() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(buffer, "WEBP")
    return buffer.getvalue()


@pytest.mark.django_db
def test_images_get_noimageindex_unless_marked(rf):
    from django.http import HttpResponse

    from kiln.shield.middleware import ShieldMiddleware, mark_image_search

    image = HttpResponse(_webp(), content_type="image/webp")
    ShieldMiddleware(lambda request: image)(rf.get("/x.webp"))
    assert image["X-Robots-Tag"] == "noai, noimageai, noimageindex"
    allowed = mark_image_search(HttpResponse(_webp(), content_type="image/webp"), allowed=True)
    ShieldMiddleware(lambda request: allowed)(rf.get("/x.webp"))
    assert allowed["X-Robots-Tag"] == "noai, noimageai"


@pytest.mark.django_db
def test_directives_set_by_a_view_are_kept(rf):
    from django.http import HttpResponse

    from kiln.shield.middleware import ShieldMiddleware, mark_noindex

    response = HttpResponse("x")
    response["X-Robots-Tag"] = "nosnippet"
    mark_noindex(response)
    ShieldMiddleware(lambda request: response)(rf.get("/"))
    assert response["X-Robots-Tag"] == "nosnippet, noai, noimageai, noindex"


# --- client IP and rate limits ------------------------------------------------------------


@pytest.mark.django_db
@override_settings(KILN_RATE_PAGES=5)
def test_pages_are_rate_limited_per_ip_with_retry_after(client):
    statuses = [client.get("/protection").status_code for _ in range(7)]
    assert statuses == [200] * 5 + [429] * 2
    response = client.get("/protection")
    # 10 s into the frozen 60 s window: 50 s to the next, then 12 s for the 5 to slide to 4.
    assert response["Retry-After"] == "62"
    assert "Try again in" in response.content.decode()
    assert response["tdm-reservation"] == "1"
    assert tally(RefusalTally.Reason.RATE_PAGES) == 3
    # Another client is unaffected.
    assert client.get("/protection", REMOTE_ADDR="10.0.0.9").status_code == 200


@pytest.mark.django_db
@override_settings(KILN_RATE_PAGES=3)
def test_forged_forwarded_for_from_an_untrusted_peer_is_ignored(client):
    for i in range(3):
        assert client.get("/protection", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code == 200
    assert client.get("/protection", HTTP_X_FORWARDED_FOR="203.0.113.77").status_code == 429


@pytest.mark.django_db
@override_settings(KILN_RATE_PAGES=2, KILN_TRUSTED_PROXIES=["10.1.0.0/16"])
def test_forwarded_for_is_believed_from_trusted_proxies(client):
    proxy = {"REMOTE_ADDR": "10.1.2.3"}
    for _ in range(2):
        assert (
            client.get("/protection", HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy).status_code
            == 200
        )
    assert (
        client.get("/protection", HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy).status_code == 429
    )
    # A different real client behind the same proxy has its own budget; a forged left-most
    # entry does not help, because the right-most untrusted hop is the client.
    forged = "1.2.3.4, 198.51.100.8"
    assert client.get("/protection", HTTP_X_FORWARDED_FOR=forged, **proxy).status_code == 200


@pytest.mark.parametrize(
    "remote, forwarded, expected",
    [
        ("10.1.2.3", "198.51.100.7", "198.51.100.7"),
        ("10.1.2.3", "198.51.100.7, 10.1.9.9", "198.51.100.7"),
        ("10.1.2.3", "garbage", "10.1.2.3"),
        ("10.1.2.3", "", "10.1.2.3"),
        ("10.1.2.3", ",,,", "10.1.2.3"),
        ("10.1.2.3", "x" * 5000, "10.1.2.3"),
        ("192.0.2.1", "198.51.100.7", "192.0.2.1"),
        ("not-an-ip", "198.51.100.7", "unknown"),
        ("2001:db8::1", "198.51.100.7", "2001:db8::1"),
    ],
)
def test_client_ip(rf, settings, remote, forwarded, expected):
    from kiln.shield.client import client_ip

    settings.KILN_TRUSTED_PROXIES = ["10.1.0.0/16", "not a network"]
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_ipv6_clients_share_their_64():
    from kiln.shield.client import client_key

    assert (
        client_key("2001:db8:1:2::1") == client_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    )
    assert client_key("::ffff:192.0.2.5") == "192.0.2.5"
    assert client_key("192.0.2.5") == "192.0.2.5"


@pytest.mark.django_db
@override_settings(KILN_RATE_RENDITIONS=4, KILN_RATE_PAGES=1000)
def test_renditions_have_their_own_budget(client):
    path = "/media/r/1-0123456789abcdef0123/" + "a" * 40 + ".webp"
    statuses = [client.get(path).status_code for _ in range(6)]
    assert statuses[:4] != [429] * 4 and statuses[4:] == [429, 429]
    assert client.get("/protection").status_code == 200  # pages still fine
    assert tally(RefusalTally.Reason.RATE_RENDITIONS) == 2


@pytest.mark.django_db
@override_settings(KILN_RATE_PAGES=3)
def test_logged_in_accounts_have_a_budget_across_addresses(client, make_user):
    client.force_login(make_user("ana"))
    for i in range(3):
        assert client.get("/protection", REMOTE_ADDR=f"192.0.2.{i}").status_code == 200
    assert client.get("/protection", REMOTE_ADDR="192.0.2.99").status_code == 429


@pytest.mark.django_db
def test_the_health_check_is_never_rate_limited(client, settings):
    settings.KILN_RATE_PAGES = 1
    assert {client.get("/healthz").status_code for _ in range(5)} == {200}


@pytest.mark.django_db
def test_static_files_are_not_rate_limited(client, settings):
    settings.KILN_RATE_PAGES = 1
    statuses = {client.get("/static/kiln.css").status_code for _ in range(5)}
    assert 429 not in statuses


# --- honeypot -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_honeypot_link_is_hidden_in_every_page(client):
    html = client.get("/").content.decode()
    assert 'href="/archive/originals/"' in html
    link = html[html.index('href="/archive/originals/"') - 20 :][:200]
    assert "hidden" in link and 'aria-hidden="true"' in link and 'tabindex="-1"' in link
    assert "Disallow: /archive/originals/" in client.get("/robots.txt").content.decode()


@pytest.mark.django_db
def test_following_the_honeypot_bans_images_for_that_client(
    client, settings, django_capture_on_commit_callbacks
):
    settings.KILN_HONEYPOT_BAN_SECONDS = 600
    image = "/media/r/1-0123456789abcdef0123/" + "a" * 40 + ".webp"
    assert client.get(image).status_code != 403
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get("/archive/originals/").status_code == 403
    response = client.get(image)
    assert response.status_code == 403 and "followed a link" in response.content.decode()
    assert client.get("/").status_code == 200  # pages still work
    assert client.get(image, REMOTE_ADDR="192.0.2.50").status_code != 403  # others unaffected
    assert tally(RefusalTally.Reason.HONEYPOT_HIT) == 1
    assert tally(RefusalTally.Reason.HONEYPOT_BANNED) == 1


@pytest.mark.django_db
def test_a_signed_in_account_is_never_banned(client, make_user):
    client.force_login(make_user("ana"))
    image = "/media/r/1-0123456789abcdef0123/" + "a" * 40 + ".webp"
    client.get("/archive/originals/", REMOTE_ADDR="192.0.2.1")
    assert client.get(image, REMOTE_ADDR="192.0.2.1").status_code != 403
    client.logout()  # nor the address it used
    assert client.get(image, REMOTE_ADDR="192.0.2.1").status_code != 403
    assert tally(RefusalTally.Reason.HONEYPOT_IGNORED) == 1


# --- admin ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admins_see_counts_per_reason(client, admin_user, settings):
    client.get("/", HTTP_USER_AGENT="CCBot/2.0")
    client.get("/", HTTP_USER_AGENT="Bytespider")
    client.get("/archive/originals/")
    client.force_login(admin_user)
    response = client.get(f"/{settings.KILN_ADMIN_PATH}/shield/refusaltally/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "AI crawler user agent" in html and "Followed the honeypot link" in html
    assert RefusalTally.objects.get(reason="ai_crawler").count == 2


@pytest.mark.django_db
def test_refusal_tallies_are_buffered_between_flushes(client, settings):
    settings.KILN_REFUSAL_FLUSH_SECONDS = 3600
    from kiln.shield import refusals

    refusals._last_flush[0] = __import__("time").monotonic()
    for _ in range(5):
        client.get("/", HTTP_USER_AGENT="CCBot/2.0")
    assert not RefusalTally.objects.exists()  # not written per request
    refusal_tally_flush()
    assert RefusalTally.objects.get(reason="ai_crawler").count == 5


@pytest.mark.django_db
def test_the_do_not_train_registry_answers_ai_crawlers_too(client):
    """Dataset builders must be able to ask which works are reserved, whatever their tooling."""
    ua = "CCBot/2.0 (https://commoncrawl.org/faq/)"
    response = client.get("/api/registry/v1/lookup", {"pdq": "0" * 64}, HTTP_USER_AGENT=ua)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert client.get("/api/registry/v1/openapi.json", HTTP_USER_AGENT=ua).status_code == 403
