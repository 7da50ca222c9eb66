"""nginx's copy of the AI-crawler refusal (`manage.py nginx_ai_crawlers`) decides as Django
does: the generated map runs in a real nginx, and for every agent shape its answer is compared
with kiln.shield's own (the crawler regex, link previews first, the welcome paths)."""

import http.client
import shutil
import subprocess
import tempfile
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from kiln.shield.crawlers import ai_crawler_token, load_entries
from kiln.shield.middleware import CRAWLER_MESSAGE, CRAWLER_WELCOME_PATHS
from kiln.shield.previews import LINK_PREVIEW_TOKENS, link_preview_agent
from tests.deploy.test_topology import free_port_base
from tests.shield.conftest import BROWSER_USER_AGENTS, SEARCH_ENGINE_USER_AGENTS

NEAR_MISSES = [
    "Mozilla/5.0 (compatible; Barcode Scanner)",
    "Mozilla/5.0 (X11; Linux x86_64) Gecko Firefox/133.0 Operatorless/1",
    "Mozilla/5.0 (compatible; Sogou web spider/4.0)",
    "Mozilla/5.0 CursorPointer/1.0",
    "NotGPTBotAtAll/1.0",
    "Mozilla/5.0 (compatible; MyGPTBotFan/1.0)",
    "Spider",
    "Spider/1.0",
    "Code/1.2 (X)",
    "Mozilla/5.0 (Operator; +https://x)",
    "x (a; Trae/1)",
    "",
    " ",
    "((((;;;;",
    "/" * 10,
    "a " * 400,
    "(;" * 400,
]


def agent_shapes() -> list[str]:
    shapes = list(BROWSER_USER_AGENTS + SEARCH_ENGINE_USER_AGENTS + NEAR_MISSES)
    for entry in load_entries(include_database=False):
        name = entry.token
        shapes += [
            name,
            f"{name.upper()}/1.0",
            f"Mozilla/5.0 (compatible; {name}/1.0; +https://example.com/bot)",
            f"{BROWSER_USER_AGENTS[0]} {name}/1.0",
            f"Mozilla/5.0 (compatible; X{name}/1.0)",
        ]
    # Link-preview fetchers, alone and with a crawler token (iMessage sends two products).
    shapes += [f"{t}/2.0" for t in LINK_PREVIEW_TOKENS]
    shapes += ["facebookexternalhit/1.1 GPTBot/1.1", "Mozilla/5.0 (Slackbot; ClaudeBot/1.0)"]
    return shapes


def django_decision(user_agent: str, path: str) -> str:
    if path in CRAWLER_WELCOME_PATHS or link_preview_agent(user_agent):
        return ""
    return ai_crawler_token(user_agent) or ""


@pytest.fixture
def admin_token(db):
    from kiln.shield.models import CrawlerToken

    return CrawlerToken.objects.create(token="KilnTestScraper").token


@pytest.fixture
def nginx_with_map(db):
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        pytest.skip("nginx is not installed (scripts/system_deps.sh installs it)")
    var = Path(tempfile.mkdtemp(prefix="kiln-nginx-map-"))
    var.chmod(0o755)
    call_command("nginx_ai_crawlers", "--output", str(var / "ai.conf"), stdout=StringIO())
    port = free_port_base(1)
    (var / "nginx.conf").write_text(
        f"daemon off;\nworker_processes 1;\npid {var}/nginx.pid;\n"
        f"error_log {var}/error.log warn;\nevents {{ worker_connections 64; }}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {var}/body;\n"
        f"  proxy_temp_path {var}/proxy;\n  fastcgi_temp_path {var}/f;\n"
        f"  uwsgi_temp_path {var}/u;\n  scgi_temp_path {var}/s;\n"
        f"  include {var}/ai.conf;\n"
        f"  server {{\n    listen 127.0.0.1:{port};\n"
        '    location / { default_type text/plain; return 200 "[$kiln_ai_crawler]"; }\n'
        '    location = /refusal { default_type text/plain; return 200 "$kiln_ai_refusal"; }\n'
        "  }\n}\n"
    )
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    check = subprocess.run([nginx, "-t", "-c", str(var / "nginx.conf")], capture_output=True)
    assert check.returncode == 0, check.stderr.decode()
    proc = subprocess.Popen([nginx, "-c", str(var / "nginx.conf")])
    deadline = time.monotonic() + 10
    while True:
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).connect()
            break
        except OSError:
            assert time.monotonic() < deadline, (var / "error.log").read_text()
            time.sleep(0.05)
    yield port
    proc.terminate()
    proc.wait(10)
    shutil.rmtree(var, ignore_errors=True)


def ask(conn: http.client.HTTPConnection, path: str, user_agent: str) -> str:
    conn.request("GET", path, headers={"User-Agent": user_agent})
    response = conn.getresponse()
    body = response.read().decode("utf-8")
    assert response.status == 200, body
    return body


@pytest.mark.django_db
def test_nginx_refuses_exactly_the_agents_django_refuses(nginx_with_map):
    conn = http.client.HTTPConnection("127.0.0.1", nginx_with_map, timeout=10)
    shapes = agent_shapes()
    differ = []
    for user_agent in shapes:
        for path in ("/discover", "/@ana", "/robots.txt", "/api/registry/v1/lookup"):
            want = django_decision(user_agent, path)
            got = ask(conn, path, user_agent)[1:-1]
            if got != want:
                differ.append((user_agent, path, want, got))
    assert differ == []
    refused = sum(1 for ua in shapes if django_decision(ua, "/discover"))
    assert refused > 600  # the test means something: most shapes are crawlers


@pytest.mark.django_db
def test_the_refusal_text_is_djangos(nginx_with_map):
    conn = http.client.HTTPConnection("127.0.0.1", nginx_with_map, timeout=10)
    user_agent = "Mozilla/5.0 (compatible; GPTBot/1.1; +https://openai.com/gptbot)"
    assert ask(conn, "/refusal", user_agent) == CRAWLER_MESSAGE.format(token="GPTBot")
    assert ask(conn, "/refusal", BROWSER_USER_AGENTS[0]) == ""


def test_admin_tokens_are_in_the_generated_map(admin_token, nginx_with_map):
    conn = http.client.HTTPConnection("127.0.0.1", nginx_with_map, timeout=10)
    assert ask(conn, "/discover", f"{admin_token}/0.1") == f"[{admin_token}]"


@pytest.mark.django_db
def test_output_to_a_missing_directory_is_a_clear_error(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a directory"):
        call_command("nginx_ai_crawlers", "--output", str(tmp_path / "nope" / "ai.conf"))
    assert not (tmp_path / "nope").exists()
