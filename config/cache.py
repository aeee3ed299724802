"""Django's Redis cache, with one redis-py client per server instead of one per operation,
and pages that keep working from the database while Redis cannot be reached.

Django's ``RedisCacheClient`` wraps its connection pool in a new ``redis.Redis`` for every
get or set, and redis-py builds a table of about 170 response callbacks in each new
client: that, not the round trip, was most of what a session read cost. A client holds
no connection of its own (it takes one from the pool for each command and gives it back)
and may be shared between threads, so one per pool serves every operation the same way.

While Redis is down (refused, or timed out) the cache acts as an empty one that keeps
nothing, as Django's dummy cache does: sessions are read from and written to the database
(``cached_db`` does so on every miss), fragments are rendered afresh, and rate limits fail
open (every count starts again). The outage and the recovery are logged once each per
process; each command tries Redis again, so nothing needs a restart when it returns.
"""

import logging
from contextlib import contextmanager

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._reachable = True

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    @contextmanager
    def _unless_unreachable(self):
        """Run a command; when Redis cannot be reached, swallow the error so that the caller
        answers as an empty cache would."""
        try:
            yield
        except UNREACHABLE:
            if self._reachable:
                logger.warning(
                    "The cache cannot be reached: pages are served from the database and "
                    "rate limits are not counted until it answers again",
                    exc_info=True,
                )
            self._reachable = False
        else:
            if not self._reachable:
                logger.warning("The cache answers again")
            self._reachable = True

    def add(self, key, value, timeout):
        with self._unless_unreachable():
            return super().add(key, value, timeout)
        return False

    def get(self, key, default):
        with self._unless_unreachable():
            return super().get(key, default)
        return default

    def set(self, key, value, timeout):
        with self._unless_unreachable():
            super().set(key, value, timeout)

    def touch(self, key, timeout):
        with self._unless_unreachable():
            return super().touch(key, timeout)
        return False

    def delete(self, key):
        with self._unless_unreachable():
            return super().delete(key)
        return False

    def get_many(self, keys):
        with self._unless_unreachable():
            return super().get_many(keys)
        return {}

    def has_key(self, key):
        with self._unless_unreachable():
            return super().has_key(key)
        return False

    def incr(self, key, delta):
        with self._unless_unreachable():
            return super().incr(key, delta)
        # What any cache says of a key it does not hold: the caller counts from the start.
        raise ValueError(f"Key '{key}' not found.")

    def set_many(self, data, timeout):
        with self._unless_unreachable():
            super().set_many(data, timeout)

    def delete_many(self, keys):
        with self._unless_unreachable():
            super().delete_many(keys)

    def clear(self):
        with self._unless_unreachable():
            return super().clear()
        return False

    def answers(self) -> bool:
        """Whether Redis answers a PING now."""
        try:
            return bool(self.get_client(write=True).ping())
        except RedisError:
            logger.exception("The cache does not answer")
            return False


class SharedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient

    def answers(self) -> bool:
        """Whether the Redis server answers now (for readiness: other operations never fail)."""
        return self._cache.answers()
