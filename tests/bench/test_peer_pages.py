"""The benchmark's two peer pages: served by the bench's URLconf only, never by the app's."""

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import Resolver404, resolve

from tests.factories import make_order, make_user

pytestmark = pytest.mark.django_db

BENCH_TEMPLATES = [
    {
        **settings.TEMPLATES[0],
        "DIRS": [*settings.TEMPLATES[0]["DIRS"], settings.BASE_DIR / "bench" / "templates"],
    }
]


@pytest.mark.parametrize("path", ["/bench/peer/", "/bench/logged-in-peer/"])
def test_the_app_never_routes_the_peer_pages(path):
    with pytest.raises(Resolver404):
        resolve(path)


@override_settings(ROOT_URLCONF="bench.urls", TEMPLATES=BENCH_TEMPLATES)
def test_the_logged_in_peer_shows_twenty_of_the_users_orders(client, buyer):
    for number in range(25):
        make_order(buyer, number=f"A-{number:03d}")
    make_order(make_user("bob"), number="BOB-1")
    client.force_login(buyer)

    response = client.get("/bench/logged-in-peer/")

    assert response.status_code == 200
    assert len(response.context["orders"]) == 20
    assert b"BOB-1" not in response.content
    assert buyer.username.encode() in response.content


@override_settings(ROOT_URLCONF="bench.urls", TEMPLATES=BENCH_TEMPLATES)
def test_the_logged_in_peer_asks_a_visitor_to_sign_in(client):
    assert client.get("/bench/logged-in-peer/").status_code == 302
