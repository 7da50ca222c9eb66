"""The streaming API (kiln/api/streaming.py) under a real uvicorn: server-sent events for each
stream, auth by header or query, scopes, the visibility rule, blocks and mutes, heartbeats,
revocation and the per-token bound. masto.js's WebSocket is in test_masto_js.py."""

import contextlib
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from kiln.posts import services as posts
from kiln.posts.models import Post
from kiln.social import services as social
from tests.child_db import share_test_database

pytestmark = pytest.mark.django_db(transaction=True)
QUIET = 1.0  # seconds within which an event that should not come, doesn't


class Stream:
    """An open SSE stream, read in a thread: events() -> [(event, data)] as they come."""

    def __init__(self, url, *, token=None, query=None, params=None):
        headers = {"Authorization": f"Bearer {token}"} if token and not query else {}
        params = dict(params or {})
        if query:
            params["access_token"] = token
        self.response = requests.get(url, headers=headers, params=params, stream=True, timeout=10)
        self.items: queue.Queue = queue.Queue()
        self.lines: list[str] = []
        if self.response.status_code == 200:
            threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        event = None
        with contextlib.suppress(Exception):  # the test closed it
            for line in self.response.iter_lines(decode_unicode=True):
                self.lines.append(line)
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and event:
                    self.items.put((event, line[6:]))
                    event = None
        self.items.put(("closed", None))

    def next(self, timeout=10.0):
        return self.items.get(timeout=timeout)

    def nothing_within(self, seconds=QUIET):
        try:
            item = self.items.get(timeout=seconds)
        except queue.Empty:
            return True
        raise AssertionError(f"unexpected {item}")

    def close(self):
        # The reader thread blocks in recv() holding the response's buffer lock, so a bare
        # close() waited for the read timeout (10 s) on a quiet stream: shut the socket first.
        with contextlib.suppress(Exception):
            self.response.raw.connection.sock.shutdown(socket.SHUT_RDWR)
        self.response.close()


@pytest.fixture
def open_stream(streaming_server):
    opened = []

    def open_(path, token=None, **kwargs):
        stream = Stream(streaming_server + path, token=token, **kwargs)
        opened.append(stream)
        return stream

    yield open_
    for stream in opened:
        stream.close()


def _update_id(item):
    import json

    event, data = item
    assert event in ("update", "status.update"), item
    return json.loads(data)["id"], json.loads(data)


def test_health_needs_no_token(streaming_server):
    response = requests.get(streaming_server + "/api/v1/streaming/health", timeout=5)
    assert response.status_code == 200 and response.text == "OK"


@pytest.mark.parametrize(
    "path,params,status",
    [
        ("/api/v1/streaming/user", {}, 401),
        ("/api/v1/streaming/nope", {}, 404),
        ("/api/v1/streaming", {"stream": "nope"}, 400),
        ("/api/v1/streaming/hashtag", {}, 400),
    ],
)
def test_refusals_are_mastodon_errors(open_stream, path, params, status):
    stream = open_stream(path, params=params)
    assert stream.response.status_code == status
    assert isinstance(stream.response.json()["error"], str)


def test_bad_tokens_and_scopes(open_stream, make_user, make_token):
    ana = make_user("ana")
    assert open_stream("/api/v1/streaming/user", "forged").response.status_code == 401
    expired = make_token(ana, expires_in=-10)
    assert open_stream("/api/v1/streaming/user", expired).response.status_code == 401
    write_only = make_token(ana, "write")
    assert open_stream("/api/v1/streaming/user", write_only).response.status_code == 403
    statuses_only = make_token(ana, "read:statuses")
    refused = open_stream("/api/v1/streaming/user/notification", statuses_only)
    assert refused.response.status_code == 403


def test_user_stream_carries_followed_posts_edits_deletes(open_stream, make_user, make_token):
    ana, ben, cat = make_user("ana"), make_user("ben"), make_user("cat")
    social.follow_create(follower=ana, followed=ben)
    stream = open_stream("/api/v1/streaming/user", make_token(ana, "read"), query=True)
    assert stream.response.status_code == 200
    assert stream.response.headers["content-type"].startswith("text/event-stream")
    time.sleep(0.3)  # the feed is listening
    post = posts.post_create(author=ben, text="New glaze test")
    pid, status = _update_id(stream.next())
    assert pid == str(post.pk) and "glaze" in status["content"]
    assert status["account"]["username"] == "ben"
    posts.post_create(author=cat, text="Not followed")  # not in ana's home
    stream.nothing_within()
    private = posts.post_create(author=ben, text="Followers only", visibility="followers")
    assert _update_id(stream.next())[0] == str(private.pk)
    posts.post_edit(post=post, editor=ben, text="Glaze test, edited")
    event, data = stream.next()
    assert event == "status.update" and "edited" in data
    posts.post_delete(post=post, actor=ben)
    assert stream.next() == ("delete", str(post.pk))


def test_public_stream_keeps_the_visibility_rule_blocks_and_mutes(
    open_stream, make_user, make_token
):
    ana, ben, cat, dan = (make_user(n) for n in ("ana", "ben", "cat", "dan"))
    social.block_create(blocker=cat, blocked=ana)  # cat blocked ana
    social.mute_create(muter=ana, muted=dan)
    earlier = posts.post_create(author=ben, text="Before the stream opened")
    stream = open_stream("/api/v1/streaming/public/local", make_token(ana, "read:statuses"))
    time.sleep(0.3)
    # The public timeline's own rule: no replies, no reblogs (kiln.timelines.selectors).
    posts.post_create(author=ben, text="A reply", in_reply_to=earlier)
    posts.post_reblog(user=ben, post=earlier)
    posts.post_create(author=ben, text="Followers only", visibility="followers")
    posts.post_create(author=cat, text="From someone who blocked ana")
    posts.post_create(author=dan, text="From someone ana muted")
    stream.nothing_within()
    public = posts.post_create(author=ben, text="For everyone")
    assert _update_id(stream.next())[0] == str(public.pk)


def test_hashtag_stream(open_stream, make_user, make_token):
    ana, ben = make_user("ana"), make_user("ben")
    stream = open_stream(
        "/api/v1/streaming", make_token(ana), params={"stream": "hashtag", "tag": "Raku"}
    )
    time.sleep(0.3)
    posts.post_create(author=ben, text="no tag here")
    stream.nothing_within(0.5)
    tagged = posts.post_create(author=ben, text="Fresh out of the kiln #raku")
    assert _update_id(stream.next())[0] == str(tagged.pk)


def test_notifications_on_the_user_stream(open_stream, make_user, make_token):
    import json

    ana, ben = make_user("ana"), make_user("ben")
    post = posts.post_create(author=ana, text="A bowl")
    stream = open_stream("/api/v1/streaming/user/notification", make_token(ana, "read"))
    time.sleep(0.3)
    posts.post_like(user=ben, post=post)
    event, data = stream.next()
    assert event == "notification"
    body = json.loads(data)
    assert body["type"] == "favourite" and body["account"]["username"] == "ben"
    assert body["status"]["id"] == str(post.pk)
    # Ben's own stream hears nothing of ana's notifications.
    other = open_stream("/api/v1/streaming/user", make_token(ben, "read"))
    time.sleep(0.3)
    social.follow_create(follower=ben, followed=ana)
    assert json.loads(stream.next()[1])["type"] == "follow"
    other.nothing_within(0.5)


def test_heartbeats_and_revocation_end_the_stream(open_stream, make_user, make_token, settings):
    from oauth2_provider.models import AccessToken

    settings.KILN_STREAMING_HEARTBEAT = 0.3
    ana = make_user("ana")
    stream = open_stream("/api/v1/streaming/user", make_token(ana, "read"))
    time.sleep(0.8)
    assert ":thump" in stream.lines
    AccessToken.objects.filter(user=ana).delete()
    assert stream.next(timeout=5) == ("closed", None)


def test_connections_per_token_are_bounded(open_stream, make_user, make_token, settings):
    settings.KILN_STREAMING_PER_TOKEN = 2
    ana = make_user("ana")
    token = make_token(ana, "read")
    first = open_stream("/api/v1/streaming/user", token)
    second = open_stream("/api/v1/streaming/public", token)
    assert first.response.status_code == second.response.status_code == 200
    third = open_stream("/api/v1/streaming/public", token)
    assert third.response.status_code == 429
    first.close()
    time.sleep(0.5)
    assert open_stream("/api/v1/streaming/user", token).response.status_code == 200
    assert open_stream("/api/v1/streaming/user", make_token(ana)).response.status_code == 200


def test_a_rolled_back_post_never_streams(open_stream, make_user, make_token):
    from django.db import transaction

    ana, ben = make_user("ana"), make_user("ben")
    social.follow_create(follower=ana, followed=ben)
    stream = open_stream("/api/v1/streaming/user", make_token(ana))
    time.sleep(0.3)
    with pytest.raises(RuntimeError), transaction.atomic():
        posts.post_create(author=ben, text="Never mind")
        raise RuntimeError
    stream.nothing_within()
    assert not Post.objects.filter(text="Never mind").exists()


def test_instance_advertises_the_streaming_url(api_client, settings, db):
    settings.KILN_STREAMING_URL = ""
    v1 = api_client().get("/api/v1/instance").json()
    assert v1["urls"]["streaming_api"] == "ws://testserver"
    settings.KILN_STREAMING_URL = "https://stream.kiln.example"
    v2 = api_client().get("/api/v2/instance").json()
    assert v2["configuration"]["urls"]["streaming"] == "wss://stream.kiln.example"


# --- The per-token cap shared by every streaming process (Redis) ---------------------------------

needs_redis = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="the shared count needs REDIS_URL"
)
ROOT = Path(__file__).resolve().parents[2]


class StreamingProcess:
    """`uvicorn kiln.streaming:application` as a process of its own, on the test database."""

    def __init__(self, env: dict, log: Path):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        argv = [sys.executable, "-m", "uvicorn", "kiln.streaming:application", "--ws", "wsproto"]
        argv += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
        self.log = log
        with log.open("wb") as out:  # a file, not a pipe nobody drains while it runs
            self.proc = subprocess.Popen(
                argv, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 30
        while True:  # waiting for it to serve, not timing it
            assert self.proc.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the streaming process did not start"
            with contextlib.suppress(requests.ConnectionError):
                requests.get(self.url + "/api/v1/streaming/health", timeout=2)
                return
            time.sleep(0.05)

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(5)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def streaming_process(transactional_db, tmp_path, settings):
    """streaming_process(heartbeat=..., redis_url=...) -> a StreamingProcess. Start it after the
    tokens are made: on SQLite it gets a file copy of the in-memory test database."""
    started = []
    var = tmp_path / "var"
    var.mkdir()

    def start(*, heartbeat=0.3, per_token=2, redis_url=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
        env.update(
            DJANGO_SETTINGS_MODULE="kiln.settings_test",
            KILN_VAR_DIR=str(var),
            SECRET_KEY=settings.SECRET_KEY,
            KILN_STREAMING_HEARTBEAT=str(heartbeat),
            KILN_STREAMING_PER_TOKEN=str(per_token),
            KILN_STREAMING_POLL="0.05",
            REDIS_URL=redis_url if redis_url is not None else os.environ.get("REDIS_URL", ""),
        )
        share_test_database(env, var)
        started.append(StreamingProcess(env, tmp_path / f"streaming-{len(started)}.log"))
        return started[-1]

    yield start
    for process in started:
        process.stop()


def _opens(opened, url, token, path="/api/v1/streaming/user") -> int:
    stream = Stream(url + path, token=token)
    opened.append(stream)
    return stream.response.status_code


def _open_count(token_pk: int) -> int:
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    return client.zcard(f"kiln:streaming:open:{token_pk}")


@pytest.fixture
def opened():
    streams = []
    yield streams
    for stream in streams:
        stream.close()


def _token_pk(raw):
    from oauth2_provider.models import AccessToken

    return AccessToken.objects.get(token_checksum=_checksum(raw)).pk


def _checksum(raw):
    import hashlib

    return hashlib.sha256(raw.encode()).hexdigest()


@needs_redis
def test_the_cap_holds_across_two_processes(streaming_process, opened, make_user, make_token):
    ana = make_user("ana")
    token, other_token = make_token(ana, "read"), make_token(ana, "read")
    one, two = streaming_process(), streaming_process()
    assert _opens(opened, one.url, token) == 200
    assert _opens(opened, two.url, token) == 200
    # Held past their lifetime (3 heartbeats of 0.3 s): refreshed, so still counted.
    time.sleep(1.5)
    assert _opens(opened, one.url, token, "/api/v1/streaming/public") == 429
    assert _opens(opened, two.url, token) == 429
    # Another token of the same user has its own count.
    assert _opens(opened, two.url, other_token) == 200
    opened[0].close()  # one's stream: its slot is freed for two
    deadline = time.monotonic() + 5
    while _opens(opened, two.url, token) != 200:
        assert time.monotonic() < deadline, "the closed stream was never released"
        time.sleep(0.1)
    assert _open_count(_token_pk(token)) == 2


@needs_redis
def test_a_killed_process_streams_stop_counting(streaming_process, opened, make_user, make_token):
    token = make_token(make_user("ana"), "read")
    doomed, survivor = streaming_process(heartbeat=1.0), streaming_process(heartbeat=1.0)
    assert _opens(opened, doomed.url, token) == _opens(opened, doomed.url, token) == 200
    doomed.stop(signal.SIGKILL)  # no close, no release: its entries stay until they expire
    assert _opens(opened, survivor.url, token) == 429
    assert _open_count(_token_pk(token)) == 2
    deadline = time.monotonic() + 10  # their lifetime is 3 heartbeats (3 s) after the last one
    while _opens(opened, survivor.url, token) != 200:
        assert time.monotonic() < deadline, "a dead process's streams never expired"
        time.sleep(0.2)
    assert _open_count(_token_pk(token)) == 1


def test_streams_open_while_redis_is_unreachable(open_stream, make_user, make_token, settings):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"
    settings.KILN_STREAMING_PER_TOKEN = 2
    token = make_token(make_user("ana"), "read")
    first = open_stream("/api/v1/streaming/user", token)
    second = open_stream("/api/v1/streaming/public", token)
    assert first.response.status_code == second.response.status_code == 200
    # The bound still holds, per process.
    assert open_stream("/api/v1/streaming/user", token).response.status_code == 429
    first.close()
    deadline = time.monotonic() + 5
    while open_stream("/api/v1/streaming/user", token).response.status_code != 200:
        assert time.monotonic() < deadline, "the closed stream was never released"
        time.sleep(0.1)


@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")
def test_redis_stopped_mid_stream(open_stream, make_user, make_token, settings, tmp_path):
    """A Redis of our own (the shared one is not ours to stop): streams open before it stops
    stay counted per process, new ones still open, and the bound holds per process."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
    )
    try:
        client = redis_client(port)
        settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"
        settings.KILN_STREAMING_PER_TOKEN = 2
        settings.KILN_STREAMING_HEARTBEAT = 0.3
        token = make_token(make_user("ana"), "read")
        first = open_stream("/api/v1/streaming/user", token)
        assert first.response.status_code == 200
        assert client.zcard(f"kiln:streaming:open:{_token_pk(token)}") == 1
        server.terminate()
        server.wait(5)
        time.sleep(0.5)  # a refresh fails meanwhile: logged, nothing ends
        second = open_stream("/api/v1/streaming/public", token)
        assert second.response.status_code == 200
        assert open_stream("/api/v1/streaming/user", token).response.status_code == 429
        assert first.nothing_within(0.3) and second.nothing_within(0.3)  # both still open
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def redis_client(port):
    import redis

    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:  # waiting for it to listen, not timing it
        with contextlib.suppress(redis.ConnectionError):
            client.ping()
            return client
        assert time.monotonic() < deadline, "redis-server did not start"
        time.sleep(0.05)
