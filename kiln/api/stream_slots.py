"""How many streams a token has open, for KILN_STREAMING_PER_TOKEN (kiln/api/streaming.py).

With REDIS_URL the count is shared by every streaming process: one sorted set per token,
`kiln:streaming:open:<token pk>`, whose members are connection ids scored by the time (Redis's
own clock, in ms) at which they expire. Opening drops expired members, counts and adds in one
Lua script, so two processes cannot both take the last slot. Each process refreshes its own
connections' scores once a heartbeat (one script call for all of them, so a busy stream whose
heartbeat comment never fires still counts), and removes a connection when it closes. A
process killed without closing (kill -9, a lost host) leaves members that expire after
EXPIRY_BEATS heartbeats.

Without Redis, or while Redis cannot be reached, the count is this process's own (a warning is
logged): streaming never fails because Redis does, and the bound still holds per process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid

from django.conf import settings

log = logging.getLogger(__name__)
KEY = "kiln:streaming:open:{}"
EXPIRY_BEATS = 3  # heartbeats a connection's entry outlives its last refresh
REFRESH_BATCH = 500  # connections refreshed per script call
REDIS_TIMEOUT = 1.0  # seconds: an unreachable Redis delays an opening by at most this

# KEYS[1]: the token's set. ARGV: cap, lifetime (ms), connection id. 1 if taken, 0 if full.
_TAKE = """
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ms)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], ms + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1
"""
# KEYS: each connection's token set; ARGV[1]: lifetime (ms), ARGV[i+1]: KEYS[i]'s connection.
# A member that was lost (expired during a stall, a Redis restart, opened while Redis was
# down) is added back: it is a stream that is really open.
_REFRESH = """
local now = redis.call('TIME')
local until_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) + tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, until_ms, ARGV[i + 1])
  redis.call('PEXPIRE', key, tonumber(ARGV[1]))
end
return #KEYS
"""


class Full(Exception):
    """The token already has KILN_STREAMING_PER_TOKEN streams open."""


class Slots:
    """One process's view of the per-token count. take()/release() per connection; the
    refresh task runs on the event loop that serves the connections."""

    def __init__(self):
        self.local: dict[int, int] = {}  # token pk -> connections open in this process
        self.members: dict[str, int] = {}  # connection id -> token pk, this process's
        self._client = None
        self._client_for: tuple | None = None  # (event loop, REDIS_URL) the client belongs to
        self._refresher: asyncio.Task | None = None

    # --- Redis, per event loop (an asyncio client cannot cross loops) ---

    def _redis(self):
        loop = asyncio.get_running_loop()
        if self._client_for != (loop, settings.REDIS_URL):
            import redis.asyncio as aioredis

            self._client = aioredis.Redis.from_url(
                settings.REDIS_URL,
                socket_timeout=REDIS_TIMEOUT,
                socket_connect_timeout=REDIS_TIMEOUT,
            )
            self._client_for = (loop, settings.REDIS_URL)
            self._refresher = None
        return self._client

    @staticmethod
    def _lifetime_ms() -> int:
        return max(1, int(EXPIRY_BEATS * settings.KILN_STREAMING_HEARTBEAT * 1000))

    async def _refresh_forever(self) -> None:
        while True:
            await asyncio.sleep(settings.KILN_STREAMING_HEARTBEAT)
            if not settings.REDIS_URL or not self.members:
                continue
            members = list(self.members.items())
            try:
                # In batches: Redis runs a script alone, and 5,000 connections in one call held
                # it for about 20 ms (bench/stream_slots.py), stalling every other client.
                for at in range(0, len(members), REFRESH_BATCH):
                    batch = members[at : at + REFRESH_BATCH]
                    keys = [KEY.format(pk) for _, pk in batch]
                    await self._client.eval(
                        _REFRESH, len(keys), *keys, self._lifetime_ms(), *(m for m, _ in batch)
                    )
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the next heartbeat tries again
                log.warning("streaming: could not refresh open streams in Redis", exc_info=True)

    # --- Per connection ---

    async def take(self, token_pk: int) -> str:
        """A connection id for a new stream of this token; Full if the token is at its cap."""
        cap = settings.KILN_STREAMING_PER_TOKEN
        member = uuid.uuid4().hex
        if settings.REDIS_URL:
            try:
                client = self._redis()
                if self._refresher is None or self._refresher.done():
                    self._refresher = asyncio.get_running_loop().create_task(
                        self._refresh_forever()
                    )
                taken = await client.eval(
                    _TAKE, 1, KEY.format(token_pk), cap, self._lifetime_ms(), member
                )
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - fall back to this process's own count
                log.warning("streaming: Redis unreachable; counting streams per process")
            else:
                if not taken:
                    raise Full
                self._add(token_pk, member)
                return member
        if self.local.get(token_pk, 0) >= cap:
            raise Full
        self._add(token_pk, member)
        return member

    def _add(self, token_pk: int, member: str) -> None:
        self.local[token_pk] = self.local.get(token_pk, 0) + 1
        self.members[member] = token_pk

    async def release(self, member: str) -> None:
        token_pk = self.members.pop(member, None)
        if token_pk is None:
            return
        self.local[token_pk] -= 1
        if not self.local[token_pk]:
            del self.local[token_pk]
        if settings.REDIS_URL:
            try:
                await self._redis().zrem(KEY.format(token_pk), member)
            except Exception:  # noqa: BLE001 - the entry expires by itself
                log.warning("streaming: could not remove a closed stream from Redis")

    async def close(self) -> None:
        """At shutdown: stop refreshing (the connections' own release() removes them)."""
        if self._refresher is not None:
            self._refresher.cancel()
            with contextlib.suppress(BaseException):
                await self._refresher
        if self._client is not None:
            with contextlib.suppress(Exception):
                await self._client.aclose()
        self._client = self._client_for = self._refresher = None
