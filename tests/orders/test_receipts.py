"""The buyer confirms that an order arrived (PRODUCT.md §9): the one state change, its
record, the database's guards, and the dispute window it starts, with a fixed clock."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from disputes.eligibility import ReasonCode, Windows, dispute_eligibility
from orders.models import Order, OrderEvent, OrderEventKind, OrderStatus
from orders.receipts import ReceiptError, ReceiptErrorCode, confirm_receipt
from tests.factories import FIXED_NOW, make_order

pytestmark = pytest.mark.django_db

WINDOWS = Windows(
    opens_days_after_shipment=10, closes_days_after_receipt=15, delivery_days_after_shipment=60
)
SECOND = timedelta(seconds=1)


def in_transit(buyer, shipped_days_ago=12, now=FIXED_NOW):
    return make_order(buyer, shipped_at=now - timedelta(days=shipped_days_ago))


def judge(order, now):
    return dispute_eligibility(order, [], now=now, windows=WINDOWS)


def test_confirming_receipt_sets_the_receipt_time_with_who_and_when(buyer):
    order = confirm_receipt(order=in_transit(buyer), buyer=buyer, now=FIXED_NOW)
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED
    assert order.received_at == FIXED_NOW
    assert order.receipt_confirmed_at == FIXED_NOW
    assert order.receipt_confirmed_by == buyer


def test_confirming_receipt_writes_one_event_for_the_marketplace(buyer):
    order = confirm_receipt(order=in_transit(buyer), buyer=buyer, now=FIXED_NOW)
    event = OrderEvent.objects.get(order=order)
    assert event.kind == OrderEventKind.RECEIPT_CONFIRMED
    assert event.actor == buyer
    assert event.created_at == FIXED_NOW
    assert event.details == {"received_at": FIXED_NOW.isoformat()}


def test_order_events_are_append_only(buyer):
    order = confirm_receipt(order=in_transit(buyer), buyer=buyer, now=FIXED_NOW)
    event = OrderEvent.objects.get(order=order)
    with pytest.raises(ValueError, match="append-only"):
        event.save()


@pytest.mark.parametrize(
    ("dates", "code"),
    [
        ({}, ReceiptErrorCode.NOT_SHIPPED),
        # A shipment the marketplace dated in the future has not happened yet.
        ({"shipped_at": FIXED_NOW + SECOND}, ReceiptErrorCode.NOT_SHIPPED),
        (
            {"shipped_at": FIXED_NOW - timedelta(days=5), "received_at": FIXED_NOW},
            ReceiptErrorCode.ALREADY_RECEIVED,
        ),
    ],
    ids=["not-shipped", "shipped-in-the-future", "already-received"],
)
def test_receipt_is_confirmed_only_for_an_order_in_transit(buyer, dates, code):
    order = make_order(buyer, placed_at=FIXED_NOW - timedelta(days=20), **dates)
    with pytest.raises(ReceiptError) as refused:
        confirm_receipt(order=order, buyer=buyer, now=FIXED_NOW)
    assert refused.value.code == code
    assert refused.value.message
    assert not OrderEvent.objects.exists()
    assert Order.objects.get().receipt_confirmed_at is None


def test_receipt_is_confirmed_once(buyer):
    order = confirm_receipt(order=in_transit(buyer), buyer=buyer, now=FIXED_NOW)
    with pytest.raises(ReceiptError) as refused:
        confirm_receipt(order=order, buyer=buyer, now=FIXED_NOW + timedelta(days=1))
    assert refused.value.code == ReceiptErrorCode.ALREADY_RECEIVED
    order.refresh_from_db()
    assert order.received_at == FIXED_NOW
    assert OrderEvent.objects.count() == 1


def test_only_the_orders_buyer_confirms_its_receipt(buyer, other_buyer):
    order = in_transit(buyer)
    with pytest.raises(ReceiptError) as refused:
        confirm_receipt(order=order, buyer=other_buyer, now=FIXED_NOW)
    assert refused.value.code == ReceiptErrorCode.NOT_YOURS
    order.refresh_from_db()
    assert order.received_at is None


def test_the_order_is_read_again_under_its_lock(buyer):
    # A stale copy (another request received it meanwhile) does not confirm twice.
    stale = in_transit(buyer)
    Order.objects.filter(pk=stale.pk).update(received_at=FIXED_NOW - timedelta(days=1))
    with pytest.raises(ReceiptError) as refused:
        confirm_receipt(order=stale, buyer=buyer, now=FIXED_NOW)
    assert refused.value.code == ReceiptErrorCode.ALREADY_RECEIVED


@pytest.mark.parametrize(
    "fields",
    [
        # who without when, and when without who
        {"receipt_confirmed_by": "buyer"},
        {"receipt_confirmed_at": FIXED_NOW},
        # confirmed by someone else than the order's buyer
        {"receipt_confirmed_at": FIXED_NOW, "receipt_confirmed_by": "other"},
        # the confirmed time is not the receipt time
        {"receipt_confirmed_at": FIXED_NOW - SECOND, "receipt_confirmed_by": "buyer"},
        {"receipt_confirmed_at": FIXED_NOW, "receipt_confirmed_by": "buyer", "received_at": None},
    ],
)
def test_database_refuses_an_inconsistent_confirmation(buyer, other_buyer, fields):
    people = {"buyer": buyer, "other": other_buyer}
    if "receipt_confirmed_by" in fields:
        fields["receipt_confirmed_by"] = people[fields["receipt_confirmed_by"]]
    dates = {"shipped_at": FIXED_NOW - timedelta(days=3), "received_at": FIXED_NOW}
    with pytest.raises(IntegrityError), transaction.atomic():
        make_order(buyer, **(dates | fields))


def test_confirmation_after_ten_days_opens_the_dispute_window_at_once(buyer):
    order = confirm_receipt(
        order=in_transit(buyer, shipped_days_ago=12), buyer=buyer, now=FIXED_NOW
    )
    eligibility = judge(order, FIXED_NOW)
    assert eligibility.allowed
    assert eligibility.window_closes_at == FIXED_NOW + timedelta(days=15)


def test_confirmation_before_ten_days_leaves_only_too_early_with_the_window_known(buyer):
    order = confirm_receipt(order=in_transit(buyer, shipped_days_ago=3), buyer=buyer, now=FIXED_NOW)
    eligibility = judge(order, FIXED_NOW)
    assert [reason.code for reason in eligibility.reasons] == [ReasonCode.TOO_EARLY]
    assert eligibility.window_closes_at == FIXED_NOW + timedelta(days=15)


def test_dispute_allowed_exactly_fifteen_days_after_confirming_receipt(buyer):
    order = confirm_receipt(order=in_transit(buyer), buyer=buyer, now=FIXED_NOW)
    assert judge(order, FIXED_NOW + timedelta(days=15)).allowed


def test_dispute_refused_one_second_after_fifteen_days_from_confirming_receipt(buyer):
    order = confirm_receipt(order=in_transit(buyer), buyer=buyer, now=FIXED_NOW)
    eligibility = judge(order, FIXED_NOW + timedelta(days=15) + SECOND)
    assert [reason.code for reason in eligibility.reasons] == [ReasonCode.WINDOW_CLOSED]
    assert eligibility.reasons[0].closed_at == FIXED_NOW + timedelta(days=15)


def test_the_window_follows_the_settings_days(buyer, settings):
    settings.DISPUTE_WINDOW_DAYS_AFTER_RECEIPT = 20
    order = confirm_receipt(order=in_transit(buyer), buyer=buyer, now=FIXED_NOW)
    closes = dispute_eligibility(order, [], now=FIXED_NOW).window_closes_at
    assert closes == FIXED_NOW + timedelta(days=20)


def test_confirming_without_a_clock_uses_the_current_time(buyer):
    before = timezone.now()
    order = confirm_receipt(order=in_transit(buyer, now=before), buyer=buyer)
    assert before <= order.received_at <= timezone.now()
    assert order.receipt_confirmed_at == order.received_at
