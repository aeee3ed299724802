"""The benchmark's own pages (the peer, the fixed cost's two) are served under the bench
settings only, never by the app; so is its switch for prepared statements."""

import importlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from bench import run
from bench import settings as bench_settings
from config import settings as app_settings
from tests.factories import make_order, make_user

PEER = "/bench/peer/"


@pytest.mark.parametrize(
    ("path", "name"),
    [
        (PEER, "bench_peer"),
        ("/bench/logged-in/", "bench_logged_in"),
        ("/bench/empty-page/", "bench_empty_page"),
    ],
)
def test_the_app_does_not_route_the_benchmarks_pages(path, name):
    with pytest.raises(Resolver404):
        resolve(path)
    with pytest.raises(NoReverseMatch):
        reverse(name)


@pytest.mark.django_db
def test_under_the_bench_settings_it_renders_20_orders_in_one_query(client, settings):
    settings.ROOT_URLCONF = bench_settings.ROOT_URLCONF
    settings.TEMPLATES = bench_settings.TEMPLATES
    buyer = make_user()
    numbers = [make_order(buyer).number for _ in range(25)]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(PEER)
    assert response.status_code == 200
    page = response.content.decode()
    assert len(queries) == 1
    assert page.count("<tr><td>") == 20
    assert numbers[-1] in page
    assert numbers[0] not in page
    # The app's pages are still there beside it.
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_the_benchmarks_cookies_log_its_user_in_as_a_returning_browser(client, settings):
    # As login() would: axes' backend, listed first, cannot load a user.
    buyer = make_user()
    client.cookies.load(run.browser_cookies(buyer.pk))
    sent = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.get("/")
    assert response.status_code == 200
    assert response.wsgi_request.user == buyer
    # The CSRF secret is the browser's own, not a new one (Django sends it back to renew
    # its expiry).
    assert response.cookies[settings.CSRF_COOKIE_NAME].value == sent


@pytest.mark.django_db
def test_the_fixed_cost_pages_answer_a_logged_in_buyer_with_nothing_then_the_layout(
    client, settings
):
    settings.ROOT_URLCONF = bench_settings.ROOT_URLCONF
    settings.TEMPLATES = bench_settings.TEMPLATES
    buyer = make_user()
    client.force_login(buyer)
    assert client.get("/bench/logged-in/").content.decode() == buyer.get_username()
    page = client.get("/bench/empty-page/")
    assert page.status_code == 200
    assert 'class="bottom-bar"' in page.content.decode()


def test_prepared_statements_only_when_the_bench_asks_and_never_in_the_apps_settings(
    monkeypatch,
):
    def options():
        return importlib.reload(bench_settings).DATABASES["default"].get("OPTIONS", {})

    monkeypatch.delenv("BENCH_PREPARE_THRESHOLD", raising=False)
    assert "prepare_threshold" not in options()
    monkeypatch.setenv("BENCH_PREPARE_THRESHOLD", "2")
    try:
        enabled = options()
    finally:
        monkeypatch.delenv("BENCH_PREPARE_THRESHOLD")
        importlib.reload(bench_settings)
    assert enabled["server_side_binding"] is True
    assert enabled["prepare_threshold"] == 2
    assert "prepare_threshold" not in app_settings.DATABASES["default"].get("OPTIONS", {})
