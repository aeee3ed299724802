"""The shared Redis cache: one redis-py client per server, reused by every operation."""

import subprocess
import sys
from contextlib import ExitStack

import pytest
from django.conf import settings

from config.cache import SharedClientRedisCache
from tests import servers

REDIS_URL = "redis://127.0.0.1:6379/15"  # read from settings only, never connected to


def redis_cache(url=REDIS_URL):
    return SharedClientRedisCache(url, {})


@pytest.fixture
def redis_url(tmp_path):
    with ExitStack() as stack:
        yield servers.redis_server(stack, tmp_path / "redis.log")


def test_every_operation_uses_the_same_client_on_the_same_pool():
    cache = redis_cache()
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client() is client
    assert cache._cache.get_client("any key", write=False) is client
    assert client.connection_pool is cache._cache._get_connection_pool(write=True)


def test_reads_and_writes_through_the_shared_client(redis_url):
    cache = redis_cache(redis_url)
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
