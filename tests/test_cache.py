"""The shared Redis cache: one redis-py client per server, reused by every operation."""

import subprocess
import sys
import uuid

import pytest
import redis
from django.conf import settings

from config.cache import SharedClientRedisCache

REDIS_URL = "redis://127.0.0.1:6379/15"


def redis_cache():
    return SharedClientRedisCache(REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})


def test_every_operation_uses_the_same_client_on_the_same_pool():
    cache = redis_cache()
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client() is client
    assert cache._cache.get_client("any key", write=False) is client
    assert client.connection_pool is cache._cache._get_connection_pool(write=True)


def test_reads_and_writes_through_the_shared_client():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    cache = redis_cache()
    cache.set("session", {"user": "42"}, 30)
    assert cache.get("session") == {"user": "42"}
    cache.delete("session")
    assert cache.get("session") is None


def test_production_with_a_cache_url_uses_it():
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])",
        ],
        cwd=settings.BASE_DIR,
        env={"PATH": "/usr/bin:/bin", "CACHE_URL": REDIS_URL},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.strip().splitlines()[-1] == "config.cache.SharedClientRedisCache"
