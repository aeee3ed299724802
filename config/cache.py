"""Django's Redis cache, with one redis-py client per server instead of one per operation.

Django's ``RedisCacheClient`` wraps its connection pool in a new ``redis.Redis`` for every
get or set, and redis-py builds a table of about 170 response callbacks in each new
client: that, not the round trip, was most of what a session read cost. A client holds
no connection of its own (it takes one from the pool for each command and gives it back)
and may be shared between threads, so one per pool serves every operation the same way.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class SharedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
