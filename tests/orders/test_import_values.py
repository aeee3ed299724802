"""Values no order can have: amounts finer than their currency, dates in the future; and a
receipt time sent for an order with a dispute (PRODUCT.md §8)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.importing import EXAMPLE_ORDER, OrderImportError, import_orders
from orders.models import Order, OrderEvent, OrderEventKind
from orders.money import format_money, in_minor_units

pytestmark = pytest.mark.django_db


def record(**overrides):
    return EXAMPLE_ORDER | {"seller": "Shenzhen Gadget Store"} | overrides


def problems_of(records):
    with pytest.raises(OrderImportError) as error:
        import_orders(records)
    return [(p.index, p.field, p.code, p.message) for p in error.value.problems]


@pytest.mark.parametrize(
    ("price", "currency", "places"),
    [("1234.56", "JPY", 0), ("1234.5", "JPY", 0), ("12.999", "EUR", 2), ("10.5", "KRW", 0)],
)
def test_an_amount_finer_than_its_currency_is_refused_with_its_code(price, currency, places):
    problems = problems_of([record(), record(number="2", price=price, currency=currency)])
    assert problems == [
        (
            1,
            "price",
            "too_precise_for_currency",
            f"has more decimal places than {currency} has ({places})",
        )
    ]
    assert Order.objects.count() == 0


def test_no_currency_has_more_than_three_decimals():
    assert problems_of([record(price="1.2345", currency="BHD")]) == [
        (0, "price", "too_precise", "has more than 3 decimal places")
    ]


@pytest.mark.parametrize(
    ("price", "currency", "kept", "shown"),
    [
        ("1.250", "BHD", "1.250", "BHD1.250"),
        ("1234", "JPY", "1234", "¥1,234"),
        ("1234.00", "JPY", "1234", "¥1,234"),
        ("12.99", "EUR", "12.99", "€12.99"),
    ],
)
def test_each_currency_keeps_its_own_decimals(price, currency, kept, shown):
    import_orders([record(price=price, currency=currency)])
    order = Order.objects.get()
    assert (order.price, str(in_minor_units(order.price, currency))) == (Decimal(price), kept)
    assert format_money(order.price, currency, "en") == shown


@pytest.mark.parametrize("field", ["placed_at", "shipped_at", "received_at"])
def test_a_date_in_the_future_is_refused(field):
    later = (timezone.now() + timedelta(days=400)).replace(microsecond=0)
    problems = problems_of([record(**{field: later.isoformat()})])
    assert [(index, name, code) for index, name, code, _ in problems] == [(0, field, "in_future")]
    assert "is in the future" in problems[0][3]


def test_a_date_within_the_clock_skew_is_taken(settings):
    settings.ORDER_CLOCK_SKEW_SECONDS = 300
    now = timezone.now()
    import_orders([record(number="1", received_at=(now + timedelta(seconds=290)).isoformat())])
    assert problems_of(
        [record(number="2", received_at=(now + timedelta(seconds=320)).isoformat())]
    )[0][:3] == (0, "received_at", "in_future")


RECEIVED = datetime(2026, 10, 9, 8, 0, tzinfo=UTC)


def disputed(**dates):
    import_orders([record(**dates)])
    Order.objects.update(terms_fixed_at=datetime(2026, 10, 15, tzinfo=UTC))
    return Order.objects.get()


def test_a_receipt_time_sent_later_is_recorded_without_moving_the_window():
    disputed(received_at=RECEIVED.isoformat())

    report = import_orders([record(received_at="2026-10-12T10:00:00Z")])

    assert report.receipts_recorded == ["8030112233445566"]
    assert Order.objects.get().received_at == RECEIVED  # the window still runs from here
    event = OrderEvent.objects.get()
    assert (event.kind, event.actor, event.details) == (
        OrderEventKind.RECEIPT_REPORTED,
        None,
        {"received_at": "2026-10-12T10:00:00+00:00", "window_from": "2026-10-09T08:00:00+00:00"},
    )


def test_the_same_receipt_time_again_records_nothing():
    disputed(received_at=RECEIVED.isoformat())
    report = import_orders([record(received_at=RECEIVED.isoformat())])
    assert report.receipts_recorded == []
    assert not OrderEvent.objects.exists()


def test_an_order_without_a_dispute_takes_a_new_receipt_time_silently():
    import_orders([record(received_at=RECEIVED.isoformat())])
    import_orders([record(received_at="2026-10-12T10:00:00Z")])
    assert Order.objects.get().received_at == datetime(2026, 10, 12, 10, 0, tzinfo=UTC)
    assert not OrderEvent.objects.exists()


def test_a_promised_delivery_date_may_lie_ahead():
    ahead = (timezone.now() + timedelta(days=20)).isoformat()
    import_orders([record(delivery_by=ahead)])
    assert Order.objects.get().delivery_by > timezone.now()
