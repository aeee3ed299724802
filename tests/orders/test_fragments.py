"""A fragment's key changes with any row it is rendered from, and only with them."""

from decimal import Decimal

import pytest

from orders.fragments import fingerprint
from orders.models import Order
from tests.disputes.builders import open_dispute
from tests.factories import make_order

pytestmark = pytest.mark.django_db


def card_rows(buyer):
    return list(Order.objects.filter(buyer=buyer).for_cards().newest_first())


def test_the_same_rows_read_twice_give_the_same_key(buyer):
    make_order(buyer)
    assert fingerprint(card_rows(buyer)) == fingerprint(card_rows(buyer))


def test_a_change_to_a_row_or_to_a_row_fetched_with_it_gives_a_new_key(buyer):
    order = make_order(buyer)
    before = fingerprint(card_rows(buyer))
    Order.objects.filter(pk=order.pk).update(price=Decimal("1.00"))
    after_price = fingerprint(card_rows(buyer))
    order.seller.name = "Renamed store"
    order.seller.save()
    after_seller = fingerprint(card_rows(buyer))
    assert len({before, after_price, after_seller}) == 3


def test_rows_attached_by_a_view_count_and_cycles_end(buyer):
    open_dispute(buyer)
    order = card_rows(buyer)[0]
    # The prefetch points each dispute back at its order: read once.
    assert order.card_disputes[0].order is order
    with_dispute = fingerprint([order])
    order.card_disputes = []
    assert fingerprint([order]) != with_dispute
