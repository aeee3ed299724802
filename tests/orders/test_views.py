from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import make_order

pytestmark = pytest.mark.django_db


def test_pages_need_a_login(client):
    for url in (reverse("orders:account"), reverse("orders:list")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_account_shows_latest_orders_and_view_all(buyer_client, buyer):
    for day in range(5):
        make_order(buyer, placed_at=timezone.now() - timedelta(days=day), item=f"Item {day}")
    response = buyer_client.get(reverse("orders:account"))
    content = response.content.decode()
    assert "My account" in content
    assert "View all" in content
    assert "Item 0" in content
    assert "Item 4" not in content


def test_orders_list_is_newest_first_and_filters_by_status(buyer_client, buyer):
    now = timezone.now()
    make_order(
        buyer,
        item="Old received",
        placed_at=now - timedelta(days=30),
        shipped_at=now - timedelta(days=29),
        received_at=now - timedelta(days=20),
    )
    make_order(buyer, item="New unshipped", placed_at=now - timedelta(days=1))
    content = buyer_client.get(reverse("orders:list")).content.decode()
    assert content.index("New unshipped") < content.index("Old received")
    received_only = buyer_client.get(reverse("orders:list"), {"status": "received"})
    assert "New unshipped" not in received_only.content.decode()
    assert "Old received" in received_only.content.decode()


def test_orders_list_paginates(buyer_client, buyer):
    for _ in range(25):
        make_order(buyer)
    first = buyer_client.get(reverse("orders:list"))
    assert len(first.context["page"].object_list) == 20
    assert "Page 1 of 2" in first.content.decode()
    second = buyer_client.get(reverse("orders:list"), {"page": 2})
    assert len(second.context["page"].object_list) == 5


def test_order_page_shows_seller_item_price_and_dates(buyer_client, buyer):
    order = make_order(buyer, shipped_at=timezone.now() - timedelta(days=2))
    content = buyer_client.get(reverse("orders:detail", args=[order.number])).content.decode()
    assert order.seller.name in content
    assert order.item in content
    assert "€12.99" in content
    assert "In transit" in content


def test_another_buyers_order_is_not_found(buyer_client, other_buyer):
    theirs = make_order(other_buyer)
    assert buyer_client.get(reverse("orders:detail", args=[theirs.number])).status_code == 404


def test_their_orders_are_not_listed(buyer_client, other_buyer):
    make_order(other_buyer, item="Bob's secret purchase")
    assert "Bob's secret purchase" not in buyer_client.get(reverse("orders:list")).content.decode()


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url_name", ["orders:account", "orders:list"])
def test_query_count_does_not_grow_with_the_number_of_orders(buyer_client, buyer, url_name):
    make_order(buyer)
    with_one = count_queries(buyer_client, reverse(url_name))
    for _ in range(199):
        make_order(buyer)
    with_two_hundred = count_queries(buyer_client, reverse(url_name))
    assert with_one == with_two_hundred
    # Session and user, the orders (cards in one query per relation), and on My account
    # the disputes waiting for the buyer and whether they sell.
    assert with_two_hundred <= 6


def test_order_page_query_count_is_constant(buyer_client, buyer):
    order = make_order(buyer)
    first = count_queries(buyer_client, reverse("orders:detail", args=[order.number]))
    for _ in range(199):
        make_order(buyer)
    assert count_queries(buyer_client, reverse("orders:detail", args=[order.number])) == first
    assert first <= 5


def test_pages_allow_scripts_and_styles_from_this_site_only(buyer_client):
    policy = buyer_client.get(reverse("orders:account"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy


def test_order_page_never_rounds_the_time_left_up(buyer_client, buyer):
    # The window closes in 11 days and 23 hours: not "2 weeks", not "12 days".
    now = timezone.now()
    closes_in = timedelta(days=11, hours=23, minutes=30)
    order = make_order(
        buyer,
        shipped_at=now - timedelta(days=12),
        received_at=now + closes_in - timedelta(days=15),
    )
    content = buyer_client.get(reverse("orders:detail", args=[order.number])).content.decode()
    assert "(11 days left)" in content
    assert "week" not in content
    with translation.override("fr"):
        response = buyer_client.get(
            reverse("orders:detail", args=[order.number]), headers={"accept-language": "fr"}
        )
    assert "(il reste 11 jours)" in response.content.decode()


def test_the_language_switcher_of_other_pages_posts_to_set_language(buyer_client):
    content = buyer_client.get(reverse("orders:list")).content.decode()
    assert f'action="{reverse("set_language")}"' in content
    assert 'name="language" data-submit-on-change>' in content
    response = buyer_client.post(
        reverse("set_language"), {"language": "fr", "next": reverse("orders:list")}
    )
    assert response.status_code == 302
    assert "Commandes" in buyer_client.get(reverse("orders:list")).content.decode()
