"""A fragment's key changes with any row it is rendered from, and only with them."""

from decimal import Decimal

import pytest

from config.fragments import fingerprint
from orders.cards import card_rows
from orders.models import Order
from tests.disputes.builders import open_dispute
from tests.factories import make_order

pytestmark = pytest.mark.django_db


def cards_key(buyer):
    return fingerprint(card_rows(Order.objects.filter(buyer=buyer).for_cards().newest_first()))


def test_the_same_rows_read_twice_give_the_same_key(buyer):
    make_order(buyer)
    assert cards_key(buyer) == cards_key(buyer)


def test_a_change_to_an_order_or_to_its_seller_gives_a_new_key(buyer):
    order = make_order(buyer)
    before = cards_key(buyer)
    Order.objects.filter(pk=order.pk).update(price=Decimal("1.00"))
    after_price = cards_key(buyer)
    order.seller.name = "Renamed store"
    order.seller.save()
    after_seller = cards_key(buyer)
    assert len({before, after_price, after_seller}) == 3


def test_the_rows_other_apps_fetch_for_a_card_are_in_its_key(buyer):
    open_dispute(buyer)
    order = Order.objects.filter(buyer=buyer).for_cards().get()
    with_dispute = fingerprint(card_rows([order]))
    order.card_disputes = []
    assert fingerprint(card_rows([order])) != with_dispute


def test_only_the_fields_a_query_loaded_are_read(buyer, django_assert_num_queries):
    make_order(buyer)
    order = Order.objects.only("number").get()
    with django_assert_num_queries(0):
        fingerprint(order)
