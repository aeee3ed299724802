import json

import pytest
from django.core.cache import cache

from api.models import ApiClient

API = "/api/v1"


@pytest.fixture(autouse=True)
def fresh_rate_limits(settings):
    """Throttle counters live in the cache: each test starts with none, and the events
    feed shows events at once (no settling delay)."""
    cache.clear()
    settings.API_FEED_SETTLE_SECONDS = 0
    yield
    cache.clear()


class Api:
    """Calls the API with a client's token, the way the marketplace does."""

    def __init__(self, client, token):
        self.client = client
        self.token = token

    def headers(self, token=None, **extra):
        token = self.token if token is None else token
        return ({"Authorization": f"Bearer {token}"} if token else {}) | extra

    def get(self, path, token=None, **params):
        return self.client.get(f"{API}{path}", params, headers=self.headers(token))

    def send(self, method, path, body, token=None, raw=None, headers=None, **kwargs):
        data = raw if raw is not None else json.dumps(body)
        return getattr(self.client, method)(
            f"{API}{path}",
            data,
            content_type=kwargs.pop("content_type", "application/json"),
            headers=self.headers(token, **(headers or {})),
            **kwargs,
        )

    def post(self, path, body=None, **kwargs):
        return self.send("post", path, body, **kwargs)

    def patch(self, path, body=None, **kwargs):
        return self.send("patch", path, body, **kwargs)


@pytest.fixture
def marketplace(db):
    # Port 9 on this machine: nothing listens, so a delivery fails without leaving it.
    client, token = ApiClient.create("Marketplace", webhook_url="http://127.0.0.1:9/hooks")
    client.token = token
    return client


@pytest.fixture
def api(client, marketplace):
    return Api(client, marketplace.token)


def error_of(response):
    """The error body's code and the (index, field) of each problem."""
    error = response.json()
    return error["code"], [(problem["index"], problem["field"]) for problem in error["problems"]]
