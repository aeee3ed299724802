from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError

from orders.models import Order, OrderStatus
from tests.factories import FIXED_NOW, make_order

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "fields",
    [
        {"price": Decimal("-1.00")},
        {"price": Decimal("0")},
        {"currency": "eur"},
        {"shipped_at": FIXED_NOW - timedelta(days=1), "placed_at": FIXED_NOW},
        {"shipped_at": None, "received_at": FIXED_NOW},
        {"shipped_at": FIXED_NOW, "received_at": FIXED_NOW - timedelta(hours=1)},
    ],
)
def test_database_refuses_impossible_orders(fields):
    with pytest.raises(IntegrityError):
        make_order(**fields)


def test_status_is_derived_from_the_dates():
    assert make_order().status == OrderStatus.AWAITING_SHIPMENT
    assert make_order(shipped_at=FIXED_NOW).status == OrderStatus.IN_TRANSIT
    received = make_order(shipped_at=FIXED_NOW, received_at=FIXED_NOW + timedelta(days=5))
    assert received.status == OrderStatus.RECEIVED
    assert list(Order.objects.with_status(OrderStatus.RECEIVED)) == [received]
