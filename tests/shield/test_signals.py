import json
import re
import urllib.robotparser

import pytest
from django.core.management import CommandError, call_command
from protego import Protego

from tests.shield.conftest import SEARCH_ENGINE_USER_AGENTS

CLOSED_PATHS = [
    "/media/r/1-0123456789abcdef0123/" + "a" * 40 + ".webp",
    "/media/avatars/x.webp",
    "/api/v1/timelines/public",
    "/api/registry/v1/lookup",
    "/settings/profile",
    "/accounts/login/",
    "/notifications",
    "/archive/originals/",
]
SEARCH_ENGINE_TOKENS = ["Googlebot", "bingbot", "DuckDuckBot", "Baiduspider", "YandexBot"]


@pytest.fixture
def robots(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def parsers(text):
    python = urllib.robotparser.RobotFileParser()
    python.parse(text.splitlines())
    return [
        ("protego", Protego.parse(text).can_fetch),
        ("python", lambda url, ua: python.can_fetch(ua, url)),
    ]


@pytest.mark.django_db
def test_every_ai_agent_is_disallowed_everything(robots, ai_agents):
    for name, can_fetch in parsers(robots):
        allowed = [
            (agent, path)
            for agent in ai_agents
            for path in ["/", "/@ana", "/@ana/projects/1", "/protection"]
            if can_fetch(f"http://testserver{path}", agent)
        ]
        assert allowed == [], name


@pytest.mark.django_db
def test_every_crawler_is_kept_off_images_api_private_pages_and_the_trap(robots):
    agents = [*SEARCH_ENGINE_TOKENS, "Googlebot-Image", "SomeNewCrawler", "Wget", "*"]
    for name, can_fetch in parsers(robots):
        open_paths = [
            (agent, path)
            for agent in agents
            for path in CLOSED_PATHS
            if can_fetch(f"http://testserver{path}", agent)
        ]
        assert open_paths == [], name


@pytest.mark.django_db
def test_search_engines_may_read_profiles_and_projects(robots):
    can_fetch = Protego.parse(robots).can_fetch
    for agent in SEARCH_ENGINE_TOKENS:
        for path in ["/", "/@ana", "/@ana/projects/12"]:
            assert can_fetch(f"http://testserver{path}", agent), (agent, path)
        assert not can_fetch("http://testserver/discover", agent)
    # Every other crawler gets nothing.
    assert not can_fetch("http://testserver/@ana", "SomeNewCrawler")


@pytest.mark.django_db
def test_image_search_crawlers_can_be_allowed_on_images(client, settings):
    settings.KILN_IMAGE_SEARCH_CRAWLERS = ["Googlebot-Image"]
    can_fetch = Protego.parse(client.get("/robots.txt").content.decode()).can_fetch
    assert can_fetch("http://testserver/media/r/1-x/y.webp", "Googlebot-Image")
    assert not can_fetch("http://testserver/api/v1/x", "Googlebot-Image")
    assert not can_fetch("http://testserver/media/r/1-x/y.webp", "Googlebot")


@pytest.mark.django_db
def test_search_engine_user_agents_match_their_robots_group(robots):
    # The real UAs from conftest map onto the named groups (Protego matches by product token).
    can_fetch = Protego.parse(robots).can_fetch
    for ua in SEARCH_ENGINE_USER_AGENTS[:6]:
        assert not can_fetch("http://testserver/media/r/1-x/y.webp", ua)


@pytest.mark.django_db
def test_ai_txt_disallows_everything_and_links_the_registry(client):
    response = client.get("/ai.txt")
    text = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    assert "User-Agent: *\nDisallow: /\nDisallow: *" in text
    assert "/api/registry/v1/lookup" in text
    for ext in ["jpg", "png", "webp", "avif", "gif", "html"]:
        assert f"Disallow: *.{ext}" in text
    python = urllib.robotparser.RobotFileParser()
    python.parse(text.splitlines())
    assert not python.can_fetch("img2dataset", "http://testserver/media/r/x.jpg")


@pytest.mark.django_db
def test_tdmrep_json_follows_the_final_report(client):
    response = client.get("/.well-known/tdmrep.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    rules = json.loads(response.content)
    assert isinstance(rules, list) and rules
    for rule in rules:
        assert set(rule) <= {"location", "tdm-reservation", "tdm-policy"}
        assert rule["location"].startswith("/")
        assert rule["tdm-reservation"] == 1
    assert rules[0]["location"] == "/*"
    assert rules[0]["tdm-policy"] == "http://testserver/.well-known/tdm-policy.json"


@pytest.mark.django_db
def test_tdm_policy_is_odrl_prohibiting_mining(client):
    response = client.get("/.well-known/tdm-policy.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    policy = json.loads(response.content)
    assert "http://www.w3.org/ns/odrl.jsonld" in policy["@context"]
    assert policy["profile"] == "http://www.w3.org/ns/tdmrep"
    assert policy["uid"] == response["tdm-policy"]
    assert "permission" not in policy
    assert [p["action"] for p in policy["prohibition"]] == ["tdm:mine"]
    assert "train" in policy["dct:description"]


@pytest.mark.django_db
def test_protection_page_explains_every_layer_and_its_limits(client):
    response = client.get("/protection")
    html = response.content.decode()
    assert response.status_code == 200
    for anchor in ["crawlers", "robots", "reservations", "metadata", "limits", "controls"]:
        assert f'id="{anchor}"' in html
    assert html.count("What it cannot stop") == 6
    shown = re.search(r"\((\d+) distinct\s+names today", html)
    assert shown and int(shown.group(1)) >= 160


# --- update_ai_crawlers ----------------------------------------------------------------------


@pytest.mark.django_db
def test_update_from_a_file_writes_the_refreshed_list(settings, tmp_path, shared_dir, capsys):
    settings.VAR_DIR = tmp_path
    upstream = json.loads((shared_dir / "ai-robots" / "robots.json").read_text())
    upstream["BrandNewAIBot"] = {"operator": "x"}
    source = tmp_path / "robots.json"
    source.write_text(json.dumps(upstream))
    call_command("update_ai_crawlers", from_file=str(source))
    out = capsys.readouterr().out
    assert "167 agents" in out and "BrandNewAIBot" in out
    from kiln.shield.crawlers import ai_crawler_token

    assert ai_crawler_token("BrandNewAIBot/1.0") is not None


@pytest.mark.django_db
def test_update_says_clearly_when_the_network_is_unreachable(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    with pytest.raises(CommandError, match="Could not download .* Nothing was changed"):
        call_command("update_ai_crawlers", url="http://127.0.0.1:9/robots.json", timeout=2)
    assert not (tmp_path / "shield").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("content", [b"not json", b"[]", b"{}", b'{"bad\\ttoken": {}}'])
def test_update_refuses_bad_upstream_data(settings, tmp_path, content):
    settings.VAR_DIR = tmp_path
    source = tmp_path / "robots.json"
    source.write_bytes(content)
    with pytest.raises(CommandError):
        call_command("update_ai_crawlers", from_file=str(source))
    assert not (tmp_path / "shield").exists()


def test_update_refuses_non_http_urls():
    with pytest.raises(CommandError, match="http"):
        call_command("update_ai_crawlers", url="file:///etc/passwd")


@pytest.mark.django_db
def test_protection_page_says_what_the_cloak_cannot_guarantee(client):
    page = client.get("/protection").content.decode()
    assert "What the cloak can and cannot do" in page
    assert "Hönig et al. (2024)" in page


@pytest.mark.django_db
def test_the_policy_declares_every_prefix_it_uses(client):
    policy = json.loads(client.get("/.well-known/tdm-policy.json").content)
    prefixes = {key for part in policy["@context"] if isinstance(part, dict) for key in part}
    used = {key.split(":")[0] for key in json.dumps(policy).split('"') if ":" in key}
    assert "vcard:fn" in policy["assigner"]
    assert {"vcard", "tdm", "dct"} <= prefixes
    assert {p for p in used if p in {"vcard", "tdm", "dct"}} <= prefixes


@pytest.mark.django_db
@pytest.mark.parametrize("host", ["127.0.0.1:8111", "kiln.example"])
def test_absolute_urls_follow_the_address_the_site_is_served_on(client, settings, host):
    settings.ALLOWED_HOSTS = ["127.0.0.1", "kiln.example"]
    origin = f"http://{host}"
    checks = {
        "/": None,
        "/.well-known/tdmrep.json": None,
        "/ai.txt": None,
        "/.well-known/tdm-policy.json": None,
    }
    for path in checks:
        response = client.get(path, HTTP_HOST=host)
        assert response.status_code == 200, path
        assert response["tdm-policy"] == f"{origin}/.well-known/tdm-policy.json"
        assert ":8000" not in response.content.decode(), path
    assert (
        f"{origin}/.well-known/tdm-policy.json"
        in client.get("/.well-known/tdmrep.json", HTTP_HOST=host).content.decode()
    )
    assert (
        f"# TDMRep: {origin}/.well-known/tdmrep.json"
        in client.get("/ai.txt", HTTP_HOST=host).content.decode()
    )
    policy = json.loads(client.get("/.well-known/tdm-policy.json", HTTP_HOST=host).content)
    assert policy["uid"].startswith(origin) and policy["assigner"]["uid"] == f"{origin}/"


def test_make_run_tells_the_worker_its_real_address():
    """`PORT=8111 make run`: processes without a request (the worker making renditions' XMP and
    C2PA) see KILN_SITE_URL on :8111 too."""
    import os
    import subprocess

    from tests.conftest import REPO_ROOT

    env = {k: v for k, v in os.environ.items() if k != "KILN_SITE_URL"}
    printed = subprocess.run(
        ["make", "-s", "--eval", "print-url: ; @echo $$KILN_SITE_URL", "print-url", "PORT=8111"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.strip()
    assert printed == "http://127.0.0.1:8111"
