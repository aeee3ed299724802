"""The rules of PRODUCT.md §2, at every boundary, with a fixed clock and no database."""

import zoneinfo
from datetime import UTC, timedelta

from django.utils import timezone

from disputes.eligibility import ReasonCode, Windows, dispute_eligibility
from disputes.models import Dispute, DisputeStatus, Outcome
from orders.models import Order
from tests.factories import FIXED_NOW

WINDOWS = Windows(
    opens_days_after_shipment=10, closes_days_after_receipt=15, delivery_days_after_shipment=60
)
SECOND = timedelta(seconds=1)


def order(shipped_days_ago=None, received_days_ago=None, now=FIXED_NOW):
    def ago(days):
        return None if days is None else now - timedelta(days=days)

    return Order(
        placed_at=now - timedelta(days=60),
        shipped_at=ago(shipped_days_ago),
        received_at=ago(received_days_ago),
    )


def judge(an_order, disputes=(), now=FIXED_NOW):
    return dispute_eligibility(an_order, list(disputes), now=now, windows=WINDOWS)


def codes(eligibility):
    return [reason.code for reason in eligibility.reasons]


def test_dispute_allowed_between_both_windows():
    eligibility = judge(order(shipped_days_ago=12, received_days_ago=3))
    assert eligibility.allowed
    assert eligibility.reasons == ()
    assert eligibility.window_closes_at == FIXED_NOW + timedelta(days=12)
    assert eligibility.time_left == timedelta(days=12)


def test_not_shipped_is_the_only_reason_before_shipment():
    eligibility = judge(order())
    assert codes(eligibility) == [ReasonCode.NOT_SHIPPED]
    assert eligibility.time_left is None


def test_dispute_allowed_exactly_ten_days_after_shipment():
    shipped = order(shipped_days_ago=10, received_days_ago=1)
    assert judge(shipped).allowed


def test_dispute_refused_one_second_before_ten_days_after_shipment():
    shipped = order(shipped_days_ago=10, received_days_ago=1)
    eligibility = judge(shipped, now=FIXED_NOW - SECOND)
    assert codes(eligibility) == [ReasonCode.TOO_EARLY]
    reason = eligibility.reasons[0]
    assert reason.shipped_at == shipped.shipped_at
    assert reason.opens_at == FIXED_NOW


def test_dispute_allowed_one_second_after_ten_days_after_shipment():
    assert judge(order(shipped_days_ago=10, received_days_ago=1), now=FIXED_NOW + SECOND).allowed


def test_dispute_allowed_exactly_fifteen_days_after_receipt():
    assert judge(order(shipped_days_ago=20, received_days_ago=15)).allowed


def test_dispute_refused_one_second_after_fifteen_days_after_receipt():
    received = order(shipped_days_ago=20, received_days_ago=15)
    eligibility = judge(received, now=FIXED_NOW + SECOND)
    assert codes(eligibility) == [ReasonCode.WINDOW_CLOSED]
    assert eligibility.reasons[0].closed_at == FIXED_NOW


def test_dispute_allowed_one_second_before_fifteen_days_after_receipt():
    received = order(shipped_days_ago=20, received_days_ago=15)
    eligibility = judge(received, now=FIXED_NOW - SECOND)
    assert eligibility.allowed
    assert eligibility.time_left == SECOND


def test_in_transit_and_too_early_are_both_listed():
    eligibility = judge(order(shipped_days_ago=3))
    assert codes(eligibility) == [ReasonCode.TOO_EARLY, ReasonCode.IN_TRANSIT]
    assert eligibility.reasons[0].opens_at == FIXED_NOW + timedelta(days=7)


def test_in_transit_after_ten_days_is_the_only_reason():
    assert codes(judge(order(shipped_days_ago=30))) == [ReasonCode.IN_TRANSIT]


def test_received_early_still_waits_for_ten_days_after_shipment():
    assert codes(judge(order(shipped_days_ago=4, received_days_ago=1))) == [ReasonCode.TOO_EARLY]


def dispute(status, **fields):
    return Dispute(status=status, opened_at=FIXED_NOW - timedelta(days=1), **fields)


def test_open_dispute_blocks_a_second_one_and_points_to_it():
    existing = dispute(DisputeStatus.OPEN)
    eligibility = judge(order(shipped_days_ago=12, received_days_ago=3), [existing])
    assert codes(eligibility) == [ReasonCode.DISPUTE_OPEN]
    assert eligibility.reasons[0].dispute is existing


def test_decided_dispute_blocks_and_carries_the_decision():
    decided = dispute(DisputeStatus.DECIDED, outcome=Outcome.REJECTED)
    eligibility = judge(order(shipped_days_ago=12, received_days_ago=3), [decided])
    assert codes(eligibility) == [ReasonCode.ALREADY_DECIDED]
    assert eligibility.reasons[0].dispute is decided


def test_dispute_ended_by_agreement_blocks_another():
    agreed = dispute(DisputeStatus.AGREED, outcome=Outcome.FULL_REFUND)
    eligibility = judge(order(shipped_days_ago=12, received_days_ago=3), [agreed])
    assert codes(eligibility) == [ReasonCode.ALREADY_AGREED]
    assert eligibility.reasons[0].dispute is agreed


def test_every_failing_rule_is_listed_together():
    decided = dispute(DisputeStatus.DECIDED, outcome=Outcome.REJECTED)
    eligibility = judge(order(shipped_days_ago=40, received_days_ago=30), [decided])
    assert codes(eligibility) == [ReasonCode.WINDOW_CLOSED, ReasonCode.ALREADY_DECIDED]


def test_cancelled_dispute_within_the_window_can_be_reopened():
    cancelled = dispute(DisputeStatus.CANCELLED)
    eligibility = judge(order(shipped_days_ago=12, received_days_ago=3), [cancelled])
    assert eligibility.allowed
    assert eligibility.is_reopen
    assert eligibility.cancelled_dispute is cancelled


def test_cancelled_dispute_after_the_window_cannot_be_reopened():
    cancelled = dispute(DisputeStatus.CANCELLED)
    eligibility = judge(order(shipped_days_ago=30, received_days_ago=16), [cancelled])
    assert not eligibility.is_reopen
    assert codes(eligibility) == [ReasonCode.WINDOW_CLOSED]


def test_window_closed_carries_the_orders_latest_dispute():
    # The buyer is told what is left to do with it (read it, follow it) or that nothing is.
    older = dispute(DisputeStatus.CANCELLED)
    latest = Dispute(status=DisputeStatus.OPEN, opened_at=FIXED_NOW)
    closed = order(shipped_days_ago=30, received_days_ago=16)
    assert judge(closed, [latest, older]).reasons[0].dispute is latest
    assert judge(closed).reasons[0].dispute is None


def test_windows_come_from_settings(settings):
    settings.DISPUTE_OPENS_DAYS_AFTER_SHIPMENT = 3
    settings.DISPUTE_WINDOW_DAYS_AFTER_RECEIPT = 30
    eligibility = dispute_eligibility(
        order(shipped_days_ago=3, received_days_ago=30), [], now=FIXED_NOW
    )
    assert eligibility.allowed


def test_deadline_across_summer_time_is_the_same_instant_shown_in_the_buyers_zone():
    # Received 20 March 10:00 in Paris (UTC+1); the window closes 15 x 24 hours later,
    # after the clocks went forward on 29 March, so Paris reads 11:00 (UTC+2).
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    received_in_paris = FIXED_NOW.astimezone(paris).replace(hour=10)
    an_order = Order(
        placed_at=received_in_paris - timedelta(days=20),
        shipped_at=received_in_paris - timedelta(days=12),
        received_at=received_in_paris,
    )
    an_hour_before = received_in_paris.astimezone(UTC) + timedelta(days=14, hours=23)
    eligibility = judge(an_order, now=an_hour_before)
    assert eligibility.allowed
    closes_in_paris = timezone.localtime(eligibility.window_closes_at, paris)
    assert (closes_in_paris.day, closes_in_paris.hour) == (4, 11)
    assert closes_in_paris.utcoffset() == timedelta(hours=2)
    assert eligibility.time_left == timedelta(hours=1)
