"""Refund instructions: one with every outcome that moves money, the money's invariants held
by the database, and the marketplace's reports, each once."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from disputes import actions, deadlines, refunds
from disputes.errors import DisputeActionError, DisputeErrorCode
from disputes.models import (
    Dispute,
    DisputeEvent,
    EventKind,
    Outcome,
    RefundInstruction,
    RefundStatus,
)
from tests.disputes.builders import (
    agreed_dispute,
    decided_dispute,
    offered_dispute,
    open_dispute,
    seller_of,
)
from tests.factories import FIXED_NOW, make_mediator

pytestmark = pytest.mark.django_db


def instruction_of(dispute):
    return RefundInstruction.objects.get(dispute=dispute)


def test_an_agreement_on_the_full_request_instructs_the_price(buyer):
    dispute = agreed_dispute(buyer)
    refund = instruction_of(dispute)
    assert (refund.amount, refund.currency, refund.outcome) == (
        Decimal("12.99"),
        "EUR",
        Outcome.FULL_REFUND,
    )
    assert refund.status == RefundStatus.INSTRUCTED
    assert refund.instructed_at == dispute.decided_at


def test_an_accepted_offer_instructs_the_offer(buyer):
    dispute = offered_dispute(buyer)
    actions.accept_offer(dispute=dispute, buyer=buyer)
    assert instruction_of(dispute).amount == Decimal("5.00")


def test_a_partial_decision_instructs_its_amount_and_a_rejection_nothing(buyer):
    partial = decided_dispute(buyer, Outcome.PARTIAL_REFUND, Decimal("4.50"))
    rejected = decided_dispute(buyer)
    assert instruction_of(partial).amount == Decimal("4.50")
    assert not RefundInstruction.objects.filter(dispute=rejected).exists()


def test_the_instruction_is_an_event_after_the_outcome_in_the_same_transaction(buyer):
    dispute = agreed_dispute(buyer)
    kinds = list(dispute.events.order_by("pk").values_list("kind", flat=True))
    assert kinds[-2:] == [EventKind.SELLER_ACCEPTED, EventKind.REFUND_INSTRUCTED]
    refund = instruction_of(dispute)
    event = dispute.events.get(kind=EventKind.REFUND_INSTRUCTED)
    assert event.details == {
        "refund": str(refund.public_id),
        "amount": "12.99",
        "outcome": "full_refund",
        "replaces": None,
    }
    assert event.actor == seller_of(dispute)


def test_an_outcome_whose_instruction_fails_is_not_recorded_either(buyer, monkeypatch):
    dispute = offered_dispute(buyer)

    def broken(**kwargs):
        raise IntegrityError("the database refused it")

    monkeypatch.setattr(refunds, "instruct_outcome", broken)
    with pytest.raises(IntegrityError):
        actions.accept_offer(dispute=dispute, buyer=buyer)
    dispute.refresh_from_db()
    assert dispute.is_open
    assert not dispute.events.filter(kind=EventKind.OFFER_ACCEPTED).exists()


# The database's guard of the money, whatever the code above it does.


def raw_instruction(dispute, **fields):
    order = dispute.order
    values = {
        "dispute": dispute,
        "order": order,
        "amount": Decimal("1.00"),
        "currency": order.currency,
        "order_price": order.price,
        "moved_before": Decimal(0),
        "outcome": Outcome.PARTIAL_REFUND,
    }
    with transaction.atomic():
        return RefundInstruction.objects.create(**(values | fields))


@pytest.mark.parametrize("amount", [Decimal(0), Decimal("-1.00")])
def test_the_database_refuses_an_amount_that_is_not_more_than_zero(buyer, amount):
    with pytest.raises(IntegrityError):
        raw_instruction(open_dispute(buyer), amount=amount)


def test_the_database_refuses_more_than_the_price_minus_what_was_moved_before(buyer):
    dispute = open_dispute(buyer)
    raw_instruction(dispute, amount=Decimal("12.99"))  # exactly the price: allowed
    with pytest.raises(IntegrityError):
        raw_instruction(dispute, amount=Decimal("1.00"), moved_before=Decimal("12.00"))
    raw_instruction(dispute, amount=Decimal("0.99"), moved_before=Decimal("12.00"))


def test_the_database_refuses_two_standing_instructions_counted_from_the_same_total(buyer):
    dispute = open_dispute(buyer)
    raw_instruction(dispute)
    with pytest.raises(IntegrityError):
        raw_instruction(dispute)


def test_the_database_refuses_an_executed_refund_without_its_one_report(buyer):
    dispute = open_dispute(buyer)
    with pytest.raises(IntegrityError):
        raw_instruction(dispute, status=RefundStatus.EXECUTED, reference="")
    with pytest.raises(IntegrityError):
        raw_instruction(dispute, status=RefundStatus.INSTRUCTED, reference="TX-1")
    with pytest.raises(IntegrityError):
        raw_instruction(dispute, status=RefundStatus.FAILED)


# What the marketplace reports.


def test_executed_is_recorded_once_and_the_same_report_again_changes_nothing(buyer):
    refund = instruction_of(agreed_dispute(buyer))
    sent = timezone.now() - timedelta(hours=1)
    first = refunds.report_executed(refund_id=refund.public_id, reference="TX-1", executed_at=sent)
    again = refunds.report_executed(
        refund_id=refund.public_id, reference="TX-1", executed_at=sent + timedelta(minutes=2)
    )
    assert (first.status, first.reference, first.executed_at) == ("executed", "TX-1", sent)
    assert again.executed_at == sent
    events = DisputeEvent.objects.filter(kind=EventKind.REFUND_EXECUTED)
    assert events.count() == 1
    assert events.get().actor is None


@pytest.mark.parametrize(
    ("second", "code"),
    [
        ({"reference": "TX-2"}, DisputeErrorCode.REFUND_OTHER_REFERENCE),
        ({"reason": "Card expired"}, DisputeErrorCode.REFUND_ALREADY_EXECUTED),
    ],
)
def test_a_report_contradicting_the_executed_one_is_refused_with_its_code(buyer, second, code):
    refund = instruction_of(agreed_dispute(buyer))
    refunds.report_executed(
        refund_id=refund.public_id, reference="TX-1", executed_at=timezone.now()
    )
    report = refunds.report_failed if "reason" in second else refunds.report_executed
    if "reference" in second:
        second["executed_at"] = timezone.now()
    with pytest.raises(DisputeActionError) as refused:
        report(refund_id=refund.public_id, **second)
    assert refused.value.code == code


def test_a_failure_is_kept_as_first_reported_and_may_still_be_executed(buyer):
    refund = instruction_of(agreed_dispute(buyer))
    refunds.report_failed(refund_id=refund.public_id, reason="Card expired")
    again = refunds.report_failed(refund_id=refund.public_id, reason="Another reason")
    assert (again.status, again.failure_reason) == ("failed", "Card expired")
    assert DisputeEvent.objects.filter(kind=EventKind.REFUND_FAILED).count() == 1
    sent = refunds.report_executed(
        refund_id=refund.public_id, reference="TX-9", executed_at=timezone.now()
    )
    assert sent.status == RefundStatus.EXECUTED


def test_a_refund_cannot_be_reported_executed_in_the_future(buyer):
    refund = instruction_of(agreed_dispute(buyer))
    with pytest.raises(DisputeActionError) as refused:
        refunds.report_executed(
            refund_id=refund.public_id,
            reference="TX-1",
            executed_at=timezone.now() + timedelta(hours=1),
        )
    assert refused.value.code == DisputeErrorCode.REFUND_EXECUTED_IN_THE_FUTURE


def test_a_mediator_instructs_a_failed_refund_again_under_a_new_id(buyer):
    refund = instruction_of(agreed_dispute(buyer))
    refunds.report_failed(refund_id=refund.public_id, reason="Card expired")
    mediator = make_mediator()
    again = refunds.instruct_again(refund=refund, mediator=mediator)
    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUPERSEDED
    assert (again.amount, again.replaces, again.status) == (refund.amount, refund, "instructed")
    assert again.public_id != refund.public_id
    event = again.dispute.events.filter(kind=EventKind.REFUND_INSTRUCTED).last()
    assert event.details["replaces"] == str(refund.public_id)
    assert event.actor == mediator
    with pytest.raises(DisputeActionError) as refused:
        refunds.report_executed(
            refund_id=refund.public_id, reference="TX-1", executed_at=timezone.now()
        )
    assert refused.value.code == DisputeErrorCode.REFUND_SUPERSEDED


def test_only_a_failed_refund_is_instructed_again_and_only_by_a_mediator(buyer):
    refund = instruction_of(agreed_dispute(buyer))
    with pytest.raises(DisputeActionError) as refused:
        refunds.instruct_again(refund=refund, mediator=make_mediator())
    assert refused.value.code == DisputeErrorCode.REFUND_NOT_FAILED
    refunds.report_failed(refund_id=refund.public_id, reason="Card expired")
    with pytest.raises(DisputeActionError) as refused:
        refunds.instruct_again(refund=refund, mediator=buyer)
    assert refused.value.code == DisputeErrorCode.NOT_MEDIATOR


# When it is late: deadlines at their boundary, with a fixed clock.


def test_a_refund_is_late_exactly_three_days_after_its_instruction(settings):
    settings.REFUND_EXECUTION_DAYS = 3
    assert deadlines.refund_expected_by(FIXED_NOW) == FIXED_NOW + timedelta(days=3)
    assert deadlines.refunds_late_before(FIXED_NOW + timedelta(days=3)) == FIXED_NOW


def test_the_late_refunds_are_those_instructed_at_or_before_the_boundary(buyer):
    dispute = agreed_dispute(buyer)
    refund = instruction_of(dispute)
    boundary = deadlines.refund_expected_by(refund.instructed_at)
    late = RefundInstruction.objects.late
    assert not late(deadlines.refunds_late_before(boundary - timedelta(seconds=1))).exists()
    assert late(deadlines.refunds_late_before(boundary)).get() == refund


def test_a_dispute_with_more_instructed_than_its_outcome_grants_is_to_settle(buyer):
    dispute = decided_dispute(buyer, Outcome.PARTIAL_REFUND, Decimal("4.50"))
    assert not Dispute.objects.refunds_to_settle().exists()
    Dispute.objects.filter(pk=dispute.pk).update(refund_amount=Decimal("2.00"))
    assert Dispute.objects.refunds_to_settle().get() == dispute
