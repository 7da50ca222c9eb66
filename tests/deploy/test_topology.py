"""The production topology in small form (deploy/local.sh up --small): nginx in front of one
gunicorn node, PostgreSQL, Redis and moto. A page, an upload and its rendition go through
nginx, and the headers say who served what.

Uses the PostgreSQL server of DATABASE_URL (or 127.0.0.1:5432) with a database of its own,
`topology`; skipped, saying so, when that server, nginx or redis-server is missing.
"""

import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import urllib.parse
import uuid
from pathlib import Path

import pytest

from tests.media import images

ROOT = Path(__file__).resolve().parents[2]
PY = str(ROOT / ".venv" / "bin" / "python")
SMOKE_DB = "topology"


def postgres_base() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = "postgres://postgres@127.0.0.1:5432/postgres"
    return url.rpartition("/")[0]


def reachable(base: str) -> bool:
    parsed = urllib.parse.urlparse(base)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 5432), timeout=2):
            return True
    except OSError:
        return False


def free_port_base(span: int = 10) -> int:
    for _ in range(50):
        base = random.randrange(20000, 60000)
        try:
            for port in range(base, base + span):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError("no free ports")


@pytest.fixture(scope="module")
def topology():
    for tool in ("nginx", "redis-server"):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            pytest.skip(f"{tool} is not installed (scripts/system_deps.sh installs it)")
    base = postgres_base()
    if not reachable(base):
        pytest.skip(f"PostgreSQL is not reachable at {base}: the topology test needs one")
    # Readable by nginx's and PostgreSQL's own users (pytest's tmp_path is private to us).
    var = Path(tempfile.mkdtemp(prefix="kiln-topology-test-"))
    var.chmod(0o755)
    env = dict(os.environ)
    env.update(
        KILN_VAR_DIR=str(var),
        KILN_TOPO_PORT_BASE=str(free_port_base()),
        KILN_TOPO_DATABASE_URL=f"{base}/{SMOKE_DB}",
        KILN_TOPO_MICROCACHE="30",  # long enough that the second fetch is always a hit
        WEB_CONCURRENCY="2",
        PATH=f"{os.environ.get('PATH', '')}:/usr/sbin",
    )
    for name in ("DJANGO_SETTINGS_MODULE", "KILN_DB_REPLICA_URL", "KILN_MEDIA_ACCEL_PREFIX"):
        env.pop(name, None)
    script = [sys.executable, str(ROOT / "deploy" / "topology.py")]
    started = subprocess.run(
        [*script, "up", "--small"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if started.returncode != 0:
        logs = "\n".join(
            f"--- {log.name}\n{log.read_text()[-2000:]}" for log in (var / "logs").glob("*.log")
        )
        pytest.fail(f"topology did not start:\n{started.stdout}\n{started.stderr}\n{logs}")
    envlines = subprocess.run(
        [*script, "env"], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    django_env = dict(env)
    for line in envlines.splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        django_env[key] = value.strip("'\"")
    port = int(env["KILN_TOPO_PORT_BASE"])
    yield {"port": port, "web": port + 1, "env": django_env}
    subprocess.run([*script, "down"], env=env, cwd=ROOT, check=False)
    shutil.rmtree(var, ignore_errors=True)


def action(topology, *args) -> dict:
    done = subprocess.run(
        [PY, "-m", "tests.deploy.actions", *args],
        env=topology["env"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def request(port, method, path, *, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response, data


def multipart(field: str, filename: str, content: bytes, content_type: str):
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


SHIELD = ("X-Robots-Tag", "tdm-reservation", "tdm-policy", "X-Content-Type-Options")


def test_page_upload_and_rendition_through_nginx(topology):
    port = topology["port"]

    # An anonymous page: rendered once, then served from nginx's micro-cache, shield intact.
    first, page = request(port, "GET", "/")
    assert first.status == 200 and b"<html" in page.lower()
    assert first.getheader("Server") == "nginx"
    assert first.getheader("X-Kiln-Cache") == "MISS"
    second, _ = request(port, "GET", "/")
    assert second.getheader("X-Kiln-Cache") == "HIT"
    for header in SHIELD:
        assert first.getheader(header) and second.getheader(header), header
    assert "noai" in second.getheader("X-Robots-Tag")

    # A static file comes from nginx's disk with the shield's headers.
    css = next((ROOT / "static" / "css").glob("*.css")).name
    static, _ = request(port, "GET", f"/static/css/{css}")
    assert static.status == 200
    for header in SHIELD:
        assert static.getheader(header), header

    # Signed in: never cached, never a hit, whatever was cached for anonymous visitors.
    login = action(topology, "user")
    token = "a" * 32
    cookies = f"{login['session_cookie']}={login['session_key']}; {login['csrf_cookie']}={token}"
    mine, _ = request(port, "GET", "/", headers={"Cookie": cookies})
    assert mine.status == 200
    assert mine.getheader("X-Kiln-Cache") == "BYPASS"

    # An upload through nginx (buffered there), then the worker renders it.
    body, content_type = multipart("file", "smoke.jpg", images.jpeg(1200, 900), "image/jpeg")
    headers = {"Cookie": cookies, "X-CSRFToken": token, "Content-Type": content_type}
    uploaded, payload = request(port, "POST", "/media/upload", body=body, headers=headers)
    assert uploaded.status == 201, payload
    asset_id = json.loads(payload)["id"]
    subprocess.run(
        [PY, "manage.py", "db_worker", "--batch", "--queue-name", "default,low,cloak"],
        env=topology["env"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    found = action(topology, "renditions", asset_id)
    assert found["state"] == "ready", found
    rendition = found["renditions"][0]

    # The web node answers with X-Accel-Redirect and no bytes: Python never streams the image.
    direct, direct_body = request(topology["web"], "GET", rendition["url"])
    assert direct.status == 200 and direct_body == b""
    assert direct.getheader("X-Accel-Redirect").endswith(rendition["key"])

    # Through nginx: the bytes from the bucket, Kiln's caching and the shield's headers.
    served, image = request(port, "GET", rendition["url"])
    assert served.status == 200
    assert len(image) == rendition["bytes"]
    assert served.getheader("Content-Type").startswith("image/")
    assert served.getheader("X-Accel-Redirect") is None
    assert served.getheader("Cache-Control").startswith("public, max-age=")
    assert served.getheader("ETag") == f'"{rendition["key"].rsplit("/", 1)[1].split(".")[0]}"'
    assert "noimageindex" in served.getheader("X-Robots-Tag")
    for header in SHIELD:
        assert served.getheader(header), header
    assert not [h for h, _ in served.getheaders() if h.lower().startswith("x-amz")]

    # The internal location cannot be asked for directly, and a bad window token is refused.
    internal, _ = request(port, "GET", f"/_kiln_media/{rendition['key']}")
    assert internal.status == 404
    expired = rendition["url"].split("/")  # ['', 'media', 'r', token, name]
    expired[3] = "1-" + "0" * 20
    gone, _ = request(port, "GET", "/".join(expired))
    assert gone.status in (404, 410)

    # The bucket refuses writes (the S3 gate answers 503 SlowDown): the upload is refused
    # clearly, nothing is kept, and uploads work again once the store is back.
    refuse = Path(topology["env"]["KILN_VAR_DIR"]) / "s3-refuse-writes"
    assets_before = action(topology, "asset_count")["count"]
    refuse.touch()
    try:
        refused, refused_body = request(port, "POST", "/media/upload", body=body, headers=headers)
    finally:
        refuse.unlink()
    assert refused.status == 503, refused_body
    assert refused.getheader("Retry-After") == "30"
    assert "Nothing was saved" in json.loads(refused_body)["error"]
    again, again_body = request(port, "POST", "/media/upload", body=body, headers=headers)
    assert again.status == 201, again_body
    assert action(topology, "asset_count")["count"] == assets_before + 1  # none for the 503

    # An AI crawler is refused by nginx itself (no node is asked, see the access log's up=),
    # even for a page in the micro-cache, with the text and shield headers Django gives it.
    marker = uuid.uuid4().hex
    agent = {"User-Agent": f"Mozilla/5.0 (compatible; GPTBot/1.1; +{marker})"}
    bot, bot_body = request(port, "GET", "/", headers=agent)
    assert bot.status == 403
    as_nginx_sends = {**agent, "Host": f"127.0.0.1:{port}"}
    by_django, django_body = request(topology["web"], "GET", "/", headers=as_nginx_sends)
    assert by_django.status == 403 and bot_body == django_body
    compared = ("Content-Type", "Cache-Control", "Referrer-Policy", "Cross-Origin-Opener-Policy")
    for header in SHIELD + compared:
        assert bot.getheader(header) == by_django.getheader(header), header
    log = Path(topology["env"]["KILN_VAR_DIR"]) / "logs" / "nginx-access.log"
    lines = [line for line in log.read_text().splitlines() if marker in line]
    assert len(lines) == 1 and " 403 " in lines[0] and "up=- " in lines[0], lines
    # robots.txt still answers it.
    robots, _ = request(port, "GET", "/robots.txt", headers=agent)
    assert robots.status == 200
