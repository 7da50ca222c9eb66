"""masto.js (npm; the library under Elk and Phanpy) against a live Kiln and its streaming
process: it logs in with a token, finds the streaming address in /api/v2/instance, streams
the user timeline over a WebSocket, and sees a post another user makes through the API arrive.
`make test` installs it (scripts/node_deps.sh, tests/clients/package.json)."""

import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

from kiln.social import services as social

pytestmark = pytest.mark.django_db(transaction=True)
CLIENTS = Path(__file__).resolve().parents[1] / "clients"


@pytest.fixture
def masto_js():
    if shutil.which("node") is None:
        pytest.fail("node is missing: apt-get install nodejs npm")
    if not (CLIENTS / "node_modules" / "masto").is_dir():
        subprocess.run(["bash", "scripts/node_deps.sh"], cwd=CLIENTS.parents[1], check=True)
    return CLIENTS / "masto_stream.mjs"


def _wait_for_stream(token_user_id: int, lines: list[str], timeout: float = 20) -> None:
    """Until the WebSocket is open in the streaming process (it runs in this process)."""
    from oauth2_provider.models import AccessToken

    from kiln.api.streaming import open_connections

    pks = set(AccessToken.objects.filter(user_id=token_user_id).values_list("pk", flat=True))
    deadline = time.monotonic() + timeout
    while not pks & set(open_connections):
        assert time.monotonic() < deadline, "masto.js never connected: " + "".join(lines)
        time.sleep(0.1)


def test_masto_js_streams_a_post_made_by_another_user(
    live_server, streaming_server, settings, make_user, make_token, masto_js
):
    settings.KILN_STREAMING_URL = streaming_server
    ana, ben = make_user("ana"), make_user("ben")
    social.follow_create(follower=ana, followed=ben)
    ana_token, ben_token = make_token(ana, "read"), make_token(ben, "write")
    node = subprocess.Popen(
        ["node", str(masto_js), live_server.url, ana_token, "kiln-stream-check"],
        cwd=CLIENTS,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(node.stdout), daemon=True)
    reader.start()
    try:
        _wait_for_stream(ana.pk, lines)
        time.sleep(1.0)  # its subscribe message is read right after the socket opens
        posted = requests.post(
            f"{live_server.url}/api/v1/statuses",
            json={"status": "Glaze test kiln-stream-check"},
            headers={"Authorization": f"Bearer {ben_token}"},
            timeout=20,
        )
        assert posted.status_code == 200, posted.text
        status_id = posted.json()["id"]
        assert node.wait(timeout=30) == 0, "".join(lines)
    finally:
        if node.poll() is None:
            node.kill()
        reader.join(5)
    output = "".join(lines)
    assert f"LOGGED_IN ana {streaming_server.replace('http', 'ws', 1)}" in output, output
    assert f"ARRIVED {status_id} @ben" in output, output
