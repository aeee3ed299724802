"""The benchmark's own page, the peer, is served under the bench settings only, never by
the app."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from bench import run
from bench import settings as bench_settings
from tests.factories import make_buyer, make_order

PEER = "/bench/peer/"


def test_the_app_does_not_route_the_benchmarks_page():
    with pytest.raises(Resolver404):
        resolve(PEER)
    with pytest.raises(NoReverseMatch):
        reverse("bench_peer")


@pytest.mark.django_db
def test_under_the_bench_settings_it_renders_20_orders_in_one_query(client, settings):
    settings.ROOT_URLCONF = bench_settings.ROOT_URLCONF
    settings.TEMPLATES = bench_settings.TEMPLATES
    buyer = make_buyer()
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
    buyer = make_buyer()
    client.cookies.load(run.browser_cookies(buyer.pk))
    sent = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.get("/")
    assert response.status_code == 200
    assert response.wsgi_request.user == buyer
    # The CSRF secret is the browser's own, not a new one (Django sends it back to renew
    # its expiry).
    assert response.cookies[settings.CSRF_COOKIE_NAME].value == sent
