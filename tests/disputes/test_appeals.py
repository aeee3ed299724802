"""Appeals that can change the outcome (PRODUCT.md §4c): who may appeal and until when, at
the boundaries with a fixed clock; what the answer does to the decision and its refund;
what both pages say while customer service has it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from disputes import actions, deadlines, refunds
from disputes.eligibility import AppealRefusal, appeal_refusal
from disputes.errors import DisputeActionError, DisputeErrorCode
from disputes.models import (
    AppealRuling,
    DecisionReason,
    Dispute,
    EventKind,
    Outcome,
    Party,
    RefundInstruction,
    RefundStatus,
)
from tests.disputes.builders import agreed_dispute, answerable_dispute, seller_of
from tests.factories import FIXED_NOW, make_mediator, make_user

pytestmark = pytest.mark.django_db

NOTE = "The photos show the connector was broken on arrival."


def decided(buyer, outcome=Outcome.REJECTED, amount=None, *, at=FIXED_NOW):
    """A dispute a mediator decided at ``at``, on an order whose seller has an account."""
    dispute = answerable_dispute(buyer)
    actions.refuse_request(
        dispute=dispute,
        seller=seller_of(dispute),
        statement="The cable was tested before shipping, it worked.",
    )
    return actions.decide_dispute(
        dispute=dispute,
        mediator=make_mediator(),
        outcome=outcome,
        refund_amount=amount,
        reason=DecisionReason.ITEM_AS_DESCRIBED,
        note=NOTE,
        now=at,
    )


def appeal(dispute, user, *, at=FIXED_NOW + timedelta(days=1)):
    return actions.send_appeal(dispute=dispute, appellant=user, message="Look again.", now=at)


# Until when: DISPUTE_APPEAL_DAYS after the decision, the last instant included.


def test_the_appeal_window_closes_thirty_days_after_the_decision(settings):
    settings.DISPUTE_APPEAL_DAYS = 30
    assert deadlines.appeal_closes_at(FIXED_NOW) == FIXED_NOW + timedelta(days=30)


def test_an_appeal_is_allowed_at_the_last_instant_and_refused_just_after(buyer):
    dispute = decided(buyer)
    closes = deadlines.appeal_closes_at(FIXED_NOW)
    assert appeal_refusal(dispute, Party.BUYER, now=closes) is None
    after = closes + timedelta(microseconds=1)
    assert appeal_refusal(dispute, Party.BUYER, now=after) == AppealRefusal.WINDOW_CLOSED
    with pytest.raises(DisputeActionError) as refused:
        appeal(dispute, buyer, at=after)
    assert refused.value.code == DisputeErrorCode.APPEAL_WINDOW_CLOSED
    assert appeal(dispute, buyer, at=closes).party == Party.BUYER


def test_customer_service_should_answer_seven_days_after_the_appeal(buyer, settings):
    settings.DISPUTE_APPEAL_ANSWER_DAYS = 7
    sent = appeal(decided(buyer), buyer)
    assert sent.answer_due == FIXED_NOW + timedelta(days=1 + 7)


# Who: the party the decision went against, once each.


def test_the_buyer_appeals_a_rejection_and_the_seller_cannot(buyer):
    dispute = decided(buyer)
    assert appeal_refusal(dispute, Party.SELLER, now=FIXED_NOW) == AppealRefusal.NOT_AGAINST_YOU
    with pytest.raises(DisputeActionError) as refused:
        appeal(dispute, seller_of(dispute))
    assert refused.value.code == DisputeErrorCode.NOT_APPEALABLE


def test_both_parties_may_appeal_a_partial_refund_once_each(buyer):
    dispute = decided(buyer, Outcome.PARTIAL_REFUND, Decimal("5.00"))
    assert appeal(dispute, buyer).party == Party.BUYER
    assert appeal(dispute, seller_of(dispute)).party == Party.SELLER
    with pytest.raises(DisputeActionError) as refused:
        appeal(Dispute.objects.get(pk=dispute.pk), buyer)
    assert refused.value.code == DisputeErrorCode.ALREADY_APPEALED


def test_an_agreement_cannot_be_appealed(buyer):
    dispute = agreed_dispute(buyer)
    assert appeal_refusal(dispute, Party.SELLER, now=FIXED_NOW) == AppealRefusal.NOT_DECIDED


# The answer: upheld, or replaced with the refund adjusted.


def answer(appeal, outcome=None, amount=None, reason=DecisionReason.NOT_AS_DESCRIBED):
    return actions.answer_appeal(
        appeal=appeal,
        mediator=make_mediator(),
        answer="We looked at the photos again.",
        reason=reason,
        outcome=outcome,
        refund_amount=amount,
        now=FIXED_NOW + timedelta(days=2),
    )


def test_an_upheld_decision_stays_and_the_answer_says_so(buyer):
    dispute = decided(buyer)
    answered = answer(appeal(dispute, buyer))
    dispute.refresh_from_db()
    assert answered.ruling == AppealRuling.UPHELD
    assert (dispute.outcome, dispute.decision_note) == (Outcome.REJECTED, NOTE)
    event = dispute.events.get(kind=EventKind.APPEAL_ANSWERED)
    assert event.details == {
        "party": "buyer",
        "ruling": "upheld",
        "decision_reason": "not_as_described",
        "outcome": "rejected",
        "refund_amount": None,
    }
    # The answer has its reason; the decision it upholds keeps its own.
    assert answered.answer_reason == DecisionReason.NOT_AS_DESCRIBED
    assert dispute.decision_reason == DecisionReason.ITEM_AS_DESCRIBED


def test_a_replacing_decision_carries_the_answers_reason(buyer):
    dispute = decided(buyer)
    answered = answer(appeal(dispute, buyer), Outcome.FULL_REFUND, reason="evidence_shows_defect")
    dispute.refresh_from_db()
    assert answered.answer_reason == dispute.decision_reason == "evidence_shows_defect"
    decisions = dispute.events.filter(kind=EventKind.DECIDED).order_by("pk")
    assert [event.details["decision_reason"] for event in decisions] == [
        "item_as_described",
        "evidence_shows_defect",
    ]
    answered_event = dispute.events.get(kind=EventKind.APPEAL_ANSWERED)
    assert answered_event.details["decision_reason"] == "evidence_shows_defect"


def test_an_answer_without_a_reason_from_the_list_changes_nothing(buyer):
    dispute = decided(buyer)
    with pytest.raises(DisputeActionError) as refused:
        answer(appeal(dispute, buyer), Outcome.FULL_REFUND, reason="")
    assert refused.value.code == DisputeErrorCode.REASON_REQUIRED
    dispute.refresh_from_db()
    assert (dispute.outcome, dispute.decision_reason) == (Outcome.REJECTED, "item_as_described")
    assert not dispute.appeals.get().is_answered


def test_a_replaced_decision_is_a_second_decision_beside_the_first_and_instructs_it(buyer):
    dispute = decided(buyer)
    answer(appeal(dispute, buyer), Outcome.PARTIAL_REFUND, Decimal("6.00"))
    dispute.refresh_from_db()
    assert (dispute.outcome, dispute.refund_amount) == (Outcome.PARTIAL_REFUND, Decimal("6.00"))
    kinds = list(dispute.events.order_by("pk").values_list("kind", flat=True))
    assert kinds[-3:] == ["appeal_answered", "decided", "refund_instructed"]
    decisions = dispute.events.filter(kind=EventKind.DECIDED).order_by("pk")
    assert [event.details["outcome"] for event in decisions] == ["rejected", "partial_refund"]
    assert RefundInstruction.objects.get(dispute=dispute).amount == Decimal("6.00")


def test_a_replacement_raising_the_refund_instructs_the_difference(buyer):
    dispute = decided(buyer, Outcome.PARTIAL_REFUND, Decimal("5.00"))
    answer(appeal(dispute, buyer), Outcome.FULL_REFUND)
    amounts = RefundInstruction.objects.filter(dispute=dispute).order_by("pk")
    assert [refund.amount for refund in amounts] == [Decimal("5.00"), Decimal("7.99")]
    assert not Dispute.objects.refunds_to_settle().exists()


def test_a_replacement_lowering_an_executed_refund_instructs_nothing_and_is_to_settle(buyer):
    dispute = decided(buyer, Outcome.PARTIAL_REFUND, Decimal("5.00"))
    sent = RefundInstruction.objects.get(dispute=dispute)
    refunds.report_executed(
        refund_id=sent.public_id, reference="TX-1", executed_at=FIXED_NOW, now=FIXED_NOW
    )
    answer(appeal(dispute, seller_of(dispute)), Outcome.REJECTED)
    assert list(RefundInstruction.objects.filter(dispute=dispute)) == [sent]
    assert RefundInstruction.objects.get().status == RefundStatus.EXECUTED
    assert Dispute.objects.refunds_to_settle().get() == dispute


def lowered_after_sending(buyer):
    """A 5.00 refund sent, then an appeal's replacement lowered it to 2.00: 3.00 to settle."""
    dispute = decided(buyer, Outcome.PARTIAL_REFUND, Decimal("5.00"))
    sent = RefundInstruction.objects.get(dispute=dispute)
    refunds.report_executed(
        refund_id=sent.public_id, reference="TX-1", executed_at=FIXED_NOW, now=FIXED_NOW
    )
    answer(appeal(dispute, seller_of(dispute)), Outcome.PARTIAL_REFUND, Decimal("2.00"))
    dispute.refresh_from_db()
    return dispute


def test_a_mediator_records_the_excess_settled_and_the_dispute_leaves_the_refunds_to_settle(
    buyer,
):
    dispute = lowered_after_sending(buyer)
    assert refunds.excess_of(dispute) == Decimal("3.00")

    settled = refunds.settle_excess(dispute=dispute, mediator=make_mediator(), now=FIXED_NOW)

    assert settled.refund_settled == Decimal("3.00")
    assert not Dispute.objects.refunds_to_settle().exists()
    event = dispute.events.latest("pk")
    assert (event.kind, event.details) == (EventKind.REFUND_SETTLED, {"amount": "3.00"})


def test_settling_twice_or_with_nothing_to_settle_is_refused_with_its_code(buyer):
    dispute = lowered_after_sending(buyer)
    refunds.settle_excess(dispute=dispute, mediator=make_mediator())
    with pytest.raises(DisputeActionError) as again:
        refunds.settle_excess(dispute=dispute, mediator=make_mediator())
    assert again.value.code == DisputeErrorCode.NOTHING_TO_SETTLE
    with pytest.raises(DisputeActionError) as nothing:
        refunds.settle_excess(dispute=decided(make_user("bob")), mediator=make_mediator())
    assert nothing.value.code == DisputeErrorCode.NOTHING_TO_SETTLE


def test_only_a_mediator_settles(buyer):
    dispute = lowered_after_sending(buyer)
    with pytest.raises(DisputeActionError) as refused:
        refunds.settle_excess(dispute=dispute, mediator=make_user("staff", is_staff=True))
    assert refused.value.code == DisputeErrorCode.NOT_MEDIATOR
    assert Dispute.objects.refunds_to_settle().get() == dispute


def test_a_replacement_must_be_a_valid_decision(buyer):
    dispute = decided(buyer)
    with pytest.raises(DisputeActionError) as refused:
        answer(appeal(dispute, buyer), Outcome.PARTIAL_REFUND, Decimal("50.00"))
    assert refused.value.code == DisputeErrorCode.INVALID_AMOUNT


# What the pages say while customer service has the appeal: never "Nobody".


def test_both_pages_say_customer_service_answers_by_its_date(log_in, buyer, settings):
    settings.TIME_ZONE = "UTC"
    dispute = decided(buyer, Outcome.PARTIAL_REFUND, Decimal("5.00"))
    appeal(dispute, seller_of(dispute))
    for user, page in ((buyer, "disputes:detail"), (seller_of(dispute), "disputes:seller_detail")):
        html = log_in(user).get(reverse(page, args=[dispute.pk])).content.decode()
        assert "Customer service: they review the appeal and answer by" in html
        assert "Nobody" not in html


def test_the_seller_appeals_from_their_page(log_in, buyer):
    dispute = decided(buyer, Outcome.FULL_REFUND, at=timezone.now())
    seller = log_in(seller_of(dispute))
    page = seller.get(reverse("disputes:seller_detail", args=[dispute.pk])).content.decode()
    url = reverse("disputes:seller_appeal", args=[dispute.pk])
    assert url in page
    response = seller.post(url, {"message": "The buyer kept the cable and it works."})
    assert response.status_code == 302
    assert dispute.appeals.get().party == Party.SELLER


def test_a_stranger_cannot_open_the_sellers_appeal_page(log_in, buyer, other_buyer):
    dispute = decided(buyer, Outcome.FULL_REFUND)
    url = reverse("disputes:seller_appeal", args=[dispute.pk])
    assert log_in(other_buyer).get(url).status_code == 404
