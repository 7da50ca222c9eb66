"""Django's Redis cache, with one redis-py client per connection pool instead of one per call.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` around the shared pool on
every cache call: about 80 µs, and a signed-in page makes three such calls (its session and
the shield's two budget counters) before the view runs. A `redis.Redis` is safe to share
between threads (each command takes a connection from the pool), and the pool already
replaces its connections after a fork, so one client per pool serves the whole process.
"""

import redis
from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(
                connection_pool=self._get_connection_pool(write)
            )
        return client


class _Degrading:
    """While Redis cannot be reached (a restart, a failover), the cache answers as if empty and
    drops writes instead of failing the request: pages are slower, never 500s. Sessions then
    come from the database (cached_db) and rate limits let requests through (kiln/core/
    limits.py). docs/deploy.md, "Redis", says what degrades."""

    _DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except self._DOWN:
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except self._DOWN:
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except self._DOWN:
            return False

    def set(self, *args, **kwargs):
        try:
            return super().set(*args, **kwargs)
        except self._DOWN:
            return None

    def add(self, *args, **kwargs):
        # True: nobody else can be known to hold the key. allauth takes its rate limits'
        # lock with `add`, and False made every sign-up wait a second for a 429 while Redis
        # restarted (the surge drill): limits fail open, as the rest of this class does.
        # Kiln's own `add` users (the sweepers' once-a-minute guards) then just run again.
        try:
            return super().add(*args, **kwargs)
        except self._DOWN:
            return True

    def set_many(self, data, *args, **kwargs):
        try:
            return super().set_many(data, *args, **kwargs)
        except self._DOWN:
            return list(data)

    def touch(self, *args, **kwargs):
        try:
            return super().touch(*args, **kwargs)
        except self._DOWN:
            return False

    def delete(self, *args, **kwargs):
        try:
            return super().delete(*args, **kwargs)
        except self._DOWN:
            return False

    def delete_many(self, *args, **kwargs):
        try:
            return super().delete_many(*args, **kwargs)
        except self._DOWN:
            return None


class KilnRedisCache(_Degrading, RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
