"""Mastodon's streaming API, as its own small ASGI process (uvicorn kiln.streaming:application),
so that a client holding a stream open for hours never holds one of the web server's sync
workers.

- Server-sent events at /api/v1/streaming/<stream> (user, user/notification, public,
  public/local, public/remote, hashtag?tag=, hashtag/local?tag=) or /api/v1/streaming?stream=,
  and /api/v1/streaming/health; a WebSocket at /api/v1/streaming (what masto.js, Elk and Phanpy
  use), with Mastodon's subscribe/unsubscribe messages.
- Events: `update`, `status.update`, `delete`, `notification`, from kiln.api.stream_feed (Redis
  pub/sub when REDIS_URL is set, else a polled table). Each is checked per connection: the post
  is read again and shown only if `can_view_post` allows it for this token's user and its author
  is not blocked (either way) or muted; `user` carries what the home timeline would (own posts
  and those of accounts followed), the public streams public posts only.
- Auth: a Bearer header, `access_token` in the query, or (WebSocket) the token as the
  Sec-WebSocket-Protocol, as Mastodon accepts it. Every stream needs a token; `user`,
  `public` and `hashtag` need read:statuses, notifications need read:notifications. A token
  revoked while streaming ends its streams at the next heartbeat.
- A heartbeat comment every KILN_STREAMING_HEARTBEAT seconds (15); at most
  KILN_STREAMING_PER_TOKEN connections per token (429 beyond), counted in Redis across every
  streaming process when REDIS_URL is set, else (or while Redis is unreachable) per process
  (kiln.api.stream_slots).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import io
import logging
import time

import orjson
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.asgi import ASGIRequest
from django.db import close_old_connections
from django.utils import timezone

from kiln.api import scopes as scope_rules
from kiln.api.http import ApiError, bearer_token
from kiln.api.models import StreamEvent
from kiln.api.stream_feed import CHANNEL
from kiln.api.stream_slots import Full, Slots
from kiln.api.views_notifications import notifications_json
from kiln.api.views_statuses import statuses_json
from kiln.notifications.models import Notification
from kiln.posts.models import Post
from kiln.posts.selectors import can_view_post
from kiln.shield.crawlers import ai_crawler_token
from kiln.social.models import Follow
from kiln.social.selectors import hidden_author_ids
from kiln.timelines.selectors import public_posts, tag_posts

log = logging.getLogger(__name__)
PREFIX = "/api/v1/streaming"
# Path (after PREFIX) -> Mastodon's stream name.
STREAMS = {
    "user": "user",
    "user/notification": "user:notification",
    "public": "public",
    "public/local": "public:local",
    "public/remote": "public:remote",  # Kiln has no remote posts: an empty stream
    "hashtag": "hashtag",
    "hashtag/local": "hashtag:local",
}
NEEDS_TAG = {"hashtag", "hashtag:local"}
QUEUE_SIZE = 1000  # events a slow connection may fall behind before it is dropped
KEEP_EVENTS = dt.timedelta(minutes=5)  # polled rows older than this are deleted


def _scope_for(stream: str) -> str:
    return "read:notifications" if stream == "user:notification" else "read:statuses"


def _sync(fn):
    """Django's ORM from the event loop: one thread, its connection checked before each use."""

    def run(*args, **kwargs):
        close_old_connections()
        return fn(*args, **kwargs)

    return sync_to_async(run, thread_sensitive=True)


# --- Where events come from --------------------------------------------------------------------


class Hub:
    """Reads the event feed once for the whole process and copies each event to every open
    connection's queue."""

    def __init__(self):
        self.queues: set[asyncio.Queue] = set()
        self.task: asyncio.Task | None = None
        self.ready = asyncio.Event()

    def start(self) -> None:
        if self.task is None or self.task.done():
            self.ready = asyncio.Event()
            self.task = asyncio.get_running_loop().create_task(self._run())

    def _fan_out(self, data: dict) -> None:
        for queue in list(self.queues):
            try:
                queue.put_nowait(data)
            except asyncio.QueueFull:  # a stalled client: its connection is ended
                queue.overflowed = True  # type: ignore[attr-defined]

    async def _run(self) -> None:
        while True:
            try:
                if settings.REDIS_URL:
                    await self._from_redis()
                else:
                    await self._from_database()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - reconnect rather than die
                log.warning("streaming: feed failed; retrying in 1 s", exc_info=True)
                await asyncio.sleep(1)

    async def _from_redis(self) -> None:
        import redis.asyncio as aioredis

        client = aioredis.Redis.from_url(settings.REDIS_URL)
        pubsub = client.pubsub()
        try:
            await pubsub.subscribe(CHANNEL)
            self.ready.set()
            async for message in pubsub.listen():
                if message.get("type") == "message":
                    self._fan_out(orjson.loads(message["data"]))
        finally:
            await pubsub.aclose()
            await client.aclose()

    async def _from_database(self) -> None:
        last = await _sync(_newest_event_id)()
        self.ready.set()
        pruned = 0.0
        while True:
            rows = await _sync(_events_after)(last)
            for pk, data in rows:
                last = pk
                self._fan_out(data)
            if time.monotonic() - pruned > 60:
                pruned = time.monotonic()
                await _sync(_prune_events)()
            await asyncio.sleep(settings.KILN_STREAMING_POLL)


def _newest_event_id() -> int:
    newest = StreamEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    return newest or 0


def _events_after(last: int) -> list[tuple[int, dict]]:
    return list(
        StreamEvent.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "data")[:500]
    )


def _prune_events() -> None:
    StreamEvent.objects.filter(created_at__lt=timezone.now() - KEEP_EVENTS).delete()


hub = Hub()
slots = Slots()
open_connections = slots.local  # token pk -> open connections in this process


# --- Who may hear what ---------------------------------------------------------------------------


class Viewer:
    """One connection's token, its user and the Django request its entities are built from."""

    def __init__(self, request, token):
        self.request = request
        self.token = token
        self.user = token.user
        request.api_token = token
        request.api_user = token.user

    def allows(self, scope: str) -> bool:
        return scope_rules.allows(self.token.scope.split(), scope)

    def still_valid(self) -> bool:
        """The token is still live (not revoked, expired, or its account disabled)."""
        try:
            return bearer_token(self.request) is not None
        except ApiError:
            return False


def _authenticate(request) -> Viewer:
    """The connection's token from its header, query or WebSocket protocol; a 401 otherwise."""
    try:
        request.get_host()
    except DisallowedHost:
        raise ApiError(400, "Bad host") from None
    if ai_crawler_token(request.META.get("HTTP_USER_AGENT", "")):
        raise ApiError(403, "AI crawlers are not allowed")
    if not request.META.get("HTTP_AUTHORIZATION"):
        raw = request.GET.get("access_token") or request.META.get("HTTP_SEC_WEBSOCKET_PROTOCOL")
        if raw:
            request.META["HTTP_AUTHORIZATION"] = f"Bearer {raw.split(',')[0].strip()}"
    token = bearer_token(request)
    if token is None:
        raise ApiError(401, "Missing access token")
    if token.user is None:
        raise ApiError(422, "This method requires an authenticated user")
    return Viewer(request, token)


def _follows(user_id: int, author_id: int) -> bool:
    return Follow.objects.filter(follower_id=user_id, followed_id=author_id).exists()


def _streams_for_post(post: Post, viewer: Viewer, subscriptions) -> list[tuple[str, ...]]:
    """Which of this connection's subscriptions a visible post belongs on: `user` as the home
    timeline (own posts and followed accounts'), the public and hashtag streams by the public
    timelines' own rule (kiln.timelines.selectors.public_posts / tag_posts: public, top-level,
    not reblogs, authors not limited or hidden)."""
    user = viewer.user
    matched = []
    for sub in subscriptions:
        name = sub[0]
        if name == "user":
            belongs = post.author_id == user.pk or _follows(user.pk, post.author_id)
        elif name in ("public", "public:local"):
            belongs = public_posts(user).filter(pk=post.pk).exists()
        elif name in ("hashtag", "hashtag:local"):
            belongs = tag_posts(user, sub[1]).filter(pk=post.pk).exists()
        else:  # public:remote: Kiln has no remote posts
            belongs = False
        if belongs:
            matched.append(sub)
    return matched


def deliveries(data: dict, viewer: Viewer, subscriptions) -> list[tuple[tuple, str, str]]:
    """(subscription, event name, payload text) for each of this connection's subscriptions
    the event belongs on, after the visibility rule, blocks and mutes. Runs in the ORM thread."""
    event = data.get("event")
    user = viewer.user
    if event == "notification":
        if data.get("user_id") != user.pk or not viewer.allows("read:notifications"):
            return []
        subs = [s for s in subscriptions if s[0] in ("user", "user:notification")]
        if not subs:
            return []
        row = Notification.objects.filter(pk=data["notification_id"], recipient_id=user.pk)
        from kiln.api.views_notifications import TYPES

        row = row.filter(kind__in=list(TYPES)).first()
        if row is None or row.actor_id in hidden_author_ids(user):
            return []
        found = notifications_json(viewer.request, [row])
        if not found:
            return []
        payload = orjson.dumps(found[0]).decode()
        return [(s, "notification", payload) for s in subs]
    if event not in ("update", "status.update", "delete") or not viewer.allows("read:statuses"):
        return []
    subscriptions = [s for s in subscriptions if s[0] != "user:notification"]
    if not subscriptions or data.get("author_id") in hidden_author_ids(user):
        return []
    if event == "delete":
        # The post is gone and can no longer be checked: the id goes only to those it could
        # have reached (anyone for a public post, the author and followers otherwise).
        author_id = data["author_id"]
        if not (data.get("public") or author_id == user.pk or _follows(user.pk, author_id)):
            return []
        subs = [s for s in subscriptions if s[0] == "user" or data.get("public")]
        return [(s, "delete", str(data["post_id"])) for s in subs]
    post = (
        Post.objects.select_related("author", "reblog__author")
        .filter(pk=data["post_id"], commented_project_id__isnull=True)
        .first()
    )
    if post is None or not can_view_post(post, user):
        return []
    original = post.reblog
    if original is not None and (
        not can_view_post(original, user) or original.author_id in hidden_author_ids(user)
    ):
        return []
    subs = _streams_for_post(post, viewer, subscriptions)
    if not subs:
        return []
    found = statuses_json(viewer.request, [post.pk])
    if not found:
        return []
    payload = orjson.dumps(found[0]).decode()
    return [(s, event, payload) for s in subs]


# --- The ASGI application ------------------------------------------------------------------


def _subscription(stream: str | None, tag: str | None) -> tuple[str, ...]:
    if stream not in STREAMS.values():
        raise ApiError(400, "Unknown stream type")
    if stream in NEEDS_TAG:
        tag = (tag or "").strip().lstrip("#").lower()
        if not tag:
            raise ApiError(400, "A hashtag stream needs a tag")
        return (stream, tag)
    return (stream,)


def _request(scope) -> ASGIRequest:
    scheme = {"ws": "http", "wss": "https"}.get(scope.get("scheme"), scope.get("scheme", "http"))
    scope = {**scope, "method": scope.get("method", "GET"), "scheme": scheme}
    request = ASGIRequest(scope, io.BytesIO())
    if scope.get("subprotocols"):  # uvicorn's wsproto lists them here, not among the headers
        request.META["HTTP_SEC_WEBSOCKET_PROTOCOL"] = ",".join(scope["subprotocols"])
    return request


class _Connection:
    """Takes one of the token's stream slots and registers the event queue."""

    def __init__(self, viewer: Viewer):
        self.viewer = viewer
        self.queue: asyncio.Queue = asyncio.Queue(maxsize=QUEUE_SIZE)
        self.slot: str | None = None

    async def open(self) -> _Connection:
        try:
            self.slot = await slots.take(self.viewer.token.pk)
        except Full:
            raise ApiError(429, "Too many open streams for this token") from None
        hub.queues.add(self.queue)
        return self

    async def close(self) -> None:
        hub.queues.discard(self.queue)
        if self.slot is not None:
            slot, self.slot = self.slot, None
            await slots.release(slot)

    async def next_event(self, timeout: float):
        """The next event, or None at a heartbeat."""
        if getattr(self.queue, "overflowed", False):
            raise ConnectionAbortedError
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None


async def _send_json_error(send, status: int, message: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": orjson.dumps({"error": message})})


async def _wait_disconnect(receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _sse(scope, receive, send, stream_path: str) -> None:
    request = _request(scope)
    try:
        if stream_path == "":
            stream = request.GET.get("stream")
        elif stream_path in STREAMS:
            stream = STREAMS[stream_path]
        else:
            raise ApiError(404, "Not found")
        subscription = _subscription(stream, request.GET.get("tag"))
        viewer = await _sync(_authenticate)(request)
        if not viewer.allows(_scope_for(subscription[0])):
            raise ApiError(403, "This action is outside the authorized scopes")
        connection = await _Connection(viewer).open()
    except ApiError as exc:
        await _send_json_error(send, exc.status, exc.message)
        return
    hub.start()
    disconnected = asyncio.get_running_loop().create_task(_wait_disconnect(receive))
    try:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/event-stream"),
                    (b"cache-control", b"no-cache"),
                    (b"x-accel-buffering", b"no"),  # nginx passes each event on at once
                ],
            }
        )
        await send({"type": "http.response.body", "body": b":)\n\n", "more_body": True})
        heartbeat = settings.KILN_STREAMING_HEARTBEAT
        while not disconnected.done():
            getter = asyncio.ensure_future(connection.next_event(heartbeat))
            await asyncio.wait({getter, disconnected}, return_when=asyncio.FIRST_COMPLETED)
            if not getter.done():
                getter.cancel()
                break
            data = getter.result()
            if data is None:
                if not await _sync(viewer.still_valid)():
                    break
                await send({"type": "http.response.body", "body": b":thump\n\n", "more_body": True})
                continue
            for _sub, event, payload in await _sync(deliveries)(data, viewer, [subscription]):
                body = f"event: {event}\ndata: {payload}\n\n".encode()
                await send({"type": "http.response.body", "body": body, "more_body": True})
        with contextlib.suppress(Exception):
            await send({"type": "http.response.body", "body": b"", "more_body": False})
    except (ConnectionAbortedError, OSError):
        pass
    finally:
        disconnected.cancel()
        await connection.close()


async def _websocket(scope, receive, send) -> None:
    request = _request(scope)
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    try:
        viewer = await _sync(_authenticate)(request)
        connection = await _Connection(viewer).open()
    except ApiError as exc:
        await send({"type": "websocket.close", "code": 4000 + min(exc.status, 999)})
        return
    accept = {"type": "websocket.accept"}
    protocol = request.META.get("HTTP_SEC_WEBSOCKET_PROTOCOL")
    if protocol:  # the token as the protocol: echoed back, as clients require
        accept["subprotocol"] = protocol.split(",")[0].strip()
    await send(accept)
    hub.start()
    subscriptions: set[tuple[str, ...]] = set()

    async def say_error(text: str) -> None:
        await send({"type": "websocket.send", "text": orjson.dumps({"error": text}).decode()})

    async def subscribe(kind: str, stream, tag) -> None:
        try:
            sub = _subscription(stream, tag)
        except ApiError as exc:
            await say_error(exc.message)
            return
        if not viewer.allows(_scope_for(sub[0])):
            await say_error("This action is outside the authorized scopes")
        elif kind == "subscribe":
            subscriptions.add(sub)
        else:
            subscriptions.discard(sub)

    if request.GET.get("stream"):
        await subscribe("subscribe", request.GET.get("stream"), request.GET.get("tag"))
    # Both waits live across turns of the loop: a message from the client never cancels a
    # pending read of the event queue (which could drop the event it was taking).
    incoming = getter = None
    try:
        heartbeat = settings.KILN_STREAMING_HEARTBEAT
        while True:
            incoming = incoming or asyncio.ensure_future(receive())
            getter = getter or asyncio.ensure_future(connection.next_event(heartbeat))
            await asyncio.wait({getter, incoming}, return_when=asyncio.FIRST_COMPLETED)
            if incoming.done():
                message = incoming.result()
                incoming = None
                if message["type"] == "websocket.disconnect":
                    break
                try:
                    command = orjson.loads(message.get("text") or message.get("bytes") or b"")
                except orjson.JSONDecodeError:
                    command = None
                if not isinstance(command, dict):
                    await say_error("Could not parse the message")
                elif command.get("type") in ("subscribe", "unsubscribe"):
                    await subscribe(command["type"], command.get("stream"), command.get("tag"))
                continue
            data = getter.result()
            getter = None
            if data is None:
                if not await _sync(viewer.still_valid)():
                    await send({"type": "websocket.close", "code": 4001})
                    break
                continue
            if not subscriptions:
                continue
            for sub, event, payload in await _sync(deliveries)(data, viewer, list(subscriptions)):
                text = orjson.dumps({"stream": list(sub), "event": event, "payload": payload})
                await send({"type": "websocket.send", "text": text.decode()})
    except (ConnectionAbortedError, OSError):
        with contextlib.suppress(Exception):
            await send({"type": "websocket.close", "code": 1013})
    finally:
        for pending in (incoming, getter):
            if pending is not None:
                pending.cancel()
        await connection.close()


async def application(scope, receive, send) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if hub.task is not None:
                    hub.task.cancel()
                await slots.close()
                await send({"type": "lifespan.shutdown.complete"})
                return
    path = scope["path"].rstrip("/")
    if not (path == PREFIX or path.startswith(PREFIX + "/")):
        if scope["type"] == "http":
            await _send_json_error(send, 404, "Not found")
        return
    rest = path[len(PREFIX) + 1 :]
    if scope["type"] == "websocket":
        await _websocket(scope, receive, send)
        return
    if rest == "health":
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/plain")],
            }
        )
        await send({"type": "http.response.body", "body": b"OK"})
        return
    if scope.get("method") not in ("GET", "HEAD"):
        await _send_json_error(send, 405, "Method not allowed")
        return
    await _sse(scope, receive, send, rest)
