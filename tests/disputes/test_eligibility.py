"""The rules of PRODUCT.md §2, at every boundary, with a fixed clock and no database."""

import zoneinfo
from datetime import UTC, timedelta

from django.utils import timezone

from disputes.eligibility import ReasonCode, Windows, dispute_eligibility
from disputes.models import Dispute, DisputeReason, DisputeStatus, Outcome
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


# A parcel that never arrived (PRODUCT.md §2a): from the delivery date promised, while the
# order is still in transit, "Item not received" is the one reason, until 15 days after it.


def in_transit(promised=FIXED_NOW, shipped_days_before=30):
    return Order(
        placed_at=promised - timedelta(days=shipped_days_before + 1),
        shipped_at=promised - timedelta(days=shipped_days_before),
        delivery_by=promised,
    )


def test_in_transit_before_the_promised_date_names_that_date():
    eligibility = judge(in_transit(), now=FIXED_NOW - SECOND)
    assert codes(eligibility) == [ReasonCode.IN_TRANSIT]
    assert eligibility.reasons[0].delivery_by == FIXED_NOW
    assert eligibility.awaits_delivery


def test_not_received_allowed_exactly_at_the_promised_date_and_only_that_reason():
    eligibility = judge(in_transit(), now=FIXED_NOW)
    assert eligibility.allowed
    assert eligibility.not_received
    assert [value for value, _label in eligibility.offered_reasons] == [DisputeReason.NOT_RECEIVED]
    assert eligibility.window_closes_at == FIXED_NOW + timedelta(days=15)


def test_not_received_allowed_one_second_after_the_promised_date():
    assert judge(in_transit(), now=FIXED_NOW + SECOND).allowed


def test_not_received_allowed_exactly_fifteen_days_after_the_promised_date():
    eligibility = judge(in_transit(FIXED_NOW - timedelta(days=15)))
    assert eligibility.allowed
    assert eligibility.time_left == timedelta(0)


def test_not_received_allowed_one_second_before_its_window_closes():
    eligibility = judge(in_transit(FIXED_NOW - timedelta(days=15)), now=FIXED_NOW - SECOND)
    assert eligibility.time_left == SECOND


def test_not_received_refused_one_second_after_its_window_closed():
    eligibility = judge(in_transit(FIXED_NOW - timedelta(days=15)), now=FIXED_NOW + SECOND)
    assert codes(eligibility) == [ReasonCode.WINDOW_CLOSED]
    reason = eligibility.reasons[0]
    assert reason.closed_at == FIXED_NOW
    assert reason.delivery_by == FIXED_NOW - timedelta(days=15)


def test_without_a_promised_date_it_is_sixty_days_after_shipment():
    shipped = Order(
        placed_at=FIXED_NOW - timedelta(days=61), shipped_at=FIXED_NOW - timedelta(days=60)
    )
    assert judge(shipped).allowed
    before = judge(shipped, now=FIXED_NOW - SECOND)
    assert codes(before) == [ReasonCode.IN_TRANSIT]
    assert before.reasons[0].delivery_by == FIXED_NOW


def test_a_received_order_offers_every_reason_but_not_received():
    offered = judge(order(shipped_days_ago=12, received_days_ago=3)).offered_reasons
    assert DisputeReason.NOT_RECEIVED not in dict(offered)
    assert len(offered) == len(DisputeReason) - 1


def extension(accepted, extended_to=FIXED_NOW + timedelta(days=10)):
    return dispute(
        DisputeStatus.CANCELLED if accepted else DisputeStatus.OPEN,
        reason=DisputeReason.NOT_RECEIVED,
        delivery_extended_to=extended_to,
        extension_accepted_at=FIXED_NOW if accepted else None,
    )


def test_an_accepted_new_date_moves_the_promised_date_and_its_window():
    promised = FIXED_NOW - timedelta(days=5)
    cancelled = extension(accepted=True)
    waiting = judge(in_transit(promised), [cancelled])
    assert codes(waiting) == [ReasonCode.IN_TRANSIT]
    assert waiting.reasons[0].delivery_by == FIXED_NOW + timedelta(days=10)
    reopen = judge(in_transit(promised), [cancelled], now=FIXED_NOW + timedelta(days=10))
    assert reopen.is_reopen
    assert reopen.window_closes_at == FIXED_NOW + timedelta(days=25)


def test_a_new_date_not_accepted_moves_nothing():
    promised = FIXED_NOW - timedelta(days=5)
    eligibility = judge(in_transit(promised), [extension(accepted=False)])
    assert codes(eligibility) == [ReasonCode.DISPUTE_OPEN]
    assert eligibility.delivery_by == promised


def test_not_received_window_across_summer_time_is_the_same_instant():
    # Promised 20 March 10:00 in Paris (UTC+1); the window closes 15 x 24 hours later,
    # after the clocks went forward on 29 March, so Paris reads 11:00 (UTC+2).
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    promised_in_paris = FIXED_NOW.astimezone(paris).replace(hour=10)
    closes = promised_in_paris.astimezone(UTC) + timedelta(days=15)
    assert judge(in_transit(promised_in_paris), now=closes).allowed
    eligibility = judge(in_transit(promised_in_paris), now=closes + SECOND)
    assert codes(eligibility) == [ReasonCode.WINDOW_CLOSED]
    closes_in_paris = timezone.localtime(eligibility.reasons[0].closed_at, paris)
    assert (closes_in_paris.day, closes_in_paris.hour) == (4, 11)
    assert judge(in_transit(promised_in_paris), now=promised_in_paris - SECOND).awaits_delivery
