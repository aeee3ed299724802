"""A Redis cache that goes down and comes back, with the app still running: pages are
served from the database meanwhile, the health checks answer, and the cache is used again
as soon as Redis answers, without a restart.

The Redis server is the test's own, stopped and started again on the same port; its
connection timeouts are short so that no request can wait long on it.
"""

import logging
from contextlib import ExitStack

import pytest
from django.contrib.sessions.backends.cached_db import SessionStore
from django.core.cache import cache, caches
from django.urls import reverse

from accounts.sign_in_links import may_email_link
from config.cache import SharedClientRedisCache
from tests import servers
from tests.factories import make_order, make_user

pytestmark = pytest.mark.django_db

TIMEOUTS = {"socket_connect_timeout": 1, "socket_timeout": 1}


class RedisServer:
    """A Redis server on a port of its own, which can be stopped and started again there."""

    def __init__(self, stack: ExitStack, log):
        self.stack, self.log = stack, log
        self.port = servers.free_port()
        self.url = f"redis://{servers.HOST}:{self.port}/0"
        self.process = None

    def start(self):
        self.process = servers.launch(
            self.stack,
            ["redis-server", "--bind", servers.HOST, "--port", str(self.port), "--save", ""],
            log=self.log,
        )
        servers.wait_for_port(self.port, self.process, "redis-server", self.log)

    def stop(self):
        servers.stop(self.process)


def redis_cache_settings(url):
    return {
        "default": {
            "BACKEND": "config.cache.SharedClientRedisCache",
            "LOCATION": url,
            "OPTIONS": TIMEOUTS,
        }
    }


@pytest.fixture
def redis(settings, tmp_path):
    with ExitStack() as stack:
        server = RedisServer(stack, tmp_path / "redis.log")
        server.start()
        settings.CACHES = redis_cache_settings(server.url)
        settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
        yield server


@pytest.fixture
def unreachable_cache():
    """A Redis cache whose server is not there: nothing listens on its port."""
    return SharedClientRedisCache(f"redis://{servers.HOST}:{servers.free_port()}/0", TIMEOUTS)


def session_cached(client):
    return cache.has_key(SessionStore(client.session.session_key).cache_key)


def test_pages_work_from_the_database_while_redis_is_down_and_use_it_again_when_back(
    client, redis, settings, caplog
):
    buyer = make_user("alice", first_name="Alice")
    order = make_order(buyer)
    order_page = reverse("orders:detail", args=[order.number])
    client.force_login(buyer)
    assert client.get("/").status_code == 200
    assert session_cached(client)

    redis.stop()
    with caplog.at_level(logging.WARNING, logger="config.cache"):
        account = client.get("/")
        assert account.status_code == 200
        assert account.context["user"] == buyer  # the session, read from the database
        assert client.get(order_page).status_code == 200
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert (ready.status_code, ready.json()) == (200, {"ready": True, "failed": []})
        settings.CACHE_REQUIRED = True
        ready = client.get("/readyz")
        assert (ready.status_code, ready.json()) == (503, {"ready": False, "failed": ["cache"]})
    assert "The cache cannot be reached" in caplog.text

    redis.start()
    assert client.get("/readyz").status_code == 200
    assert client.get(order_page).status_code == 200
    assert session_cached(client)  # read from the database, then kept in Redis again


def test_signing_in_and_out_while_redis_is_down(client, redis):
    make_user("bob")
    redis.stop()
    response = client.post(
        "/accounts/login/", {"username": "bob", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert client.get("/").context["user"].username == "bob"
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302  # to the sign-in page


def test_health_checks_do_not_read_the_session(client, buyer, django_assert_num_queries):
    client.force_login(buyer)
    with django_assert_num_queries(0):
        assert client.get("/healthz").status_code == 200


def test_an_unreachable_cache_answers_as_an_empty_one(unreachable_cache):
    unreachable_cache.set("key", "value")
    assert unreachable_cache.get("key", "default") == "default"
    assert unreachable_cache.add("key", "value") is False
    assert unreachable_cache.get_many(["key"]) == {}
    assert unreachable_cache.has_key("key") is False
    assert unreachable_cache.delete("key") is False
    assert unreachable_cache.touch("key") is False
    unreachable_cache.set_many({"key": "value"})
    unreachable_cache.delete_many(["key"])
    with pytest.raises(ValueError):  # as for any key a cache does not hold
        unreachable_cache.incr("key")
    assert unreachable_cache.answers() is False


def test_rate_limits_fail_open_while_redis_is_down(redis, settings):
    settings.EMAIL_SIGN_IN_LINKS_PER_ADDRESS = 1
    assert may_email_link(address="carol@example.com", client="192.0.2.1")
    assert not may_email_link(address="carol@example.com", client="192.0.2.1")
    redis.stop()
    # Not counted while the cache is down: every request is let through (and logged).
    assert may_email_link(address="carol@example.com", client="192.0.2.1")
    assert may_email_link(address="carol@example.com", client="192.0.2.1")
    assert caches["default"].answers() is False
