"""Every action in every state: allowed, or refused with a message a person can read."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError
from django.utils import timezone, translation

from disputes import actions
from disputes.models import Appeal, Dispute, DisputeEvent, DisputeStatus, EventKind, Outcome
from tests.disputes.builders import (
    DESCRIPTION,
    appealed_dispute,
    cancelled_dispute,
    decided_dispute,
    disputable_order,
    make_mediator,
    open_dispute,
)

pytestmark = pytest.mark.django_db

REOPEN_ANSWERS = {"reason": "wrong_item", "refund_request": "full", "description": DESCRIPTION}

STATES = {
    "open": open_dispute,
    "cancelled": cancelled_dispute,
    "decided_rejected": decided_dispute,
    "decided_full_refund": lambda buyer: decided_dispute(buyer, Outcome.FULL_REFUND),
    "appealed": appealed_dispute,
}


def do_cancel(dispute, buyer):
    actions.cancel_dispute(dispute=dispute, buyer=buyer)


def do_reopen(dispute, buyer):
    actions.reopen_dispute(dispute=dispute, buyer=buyer, **REOPEN_ANSWERS)


def do_decide(dispute, buyer):
    actions.decide_dispute(
        dispute=dispute, mediator=make_mediator(), outcome=Outcome.REJECTED, note="No fault seen."
    )


def do_add_evidence(dispute, buyer):
    actions.add_evidence(dispute=dispute, buyer=buyer, evidence=[])


def do_appeal(dispute, buyer):
    actions.send_appeal(dispute=dispute, buyer=buyer, message="Please look again at my photos.")


def do_answer(dispute, buyer):
    appeal = Appeal.objects.filter(dispute=dispute).first()
    if appeal is None:
        raise actions.DisputeActionError("There is no appeal to answer.")
    actions.answer_appeal(appeal=appeal, mediator=make_mediator(), answer="We checked again.")


ACTIONS = {
    "cancel": do_cancel,
    "reopen": do_reopen,
    "decide": do_decide,
    "add_evidence": do_add_evidence,
    "appeal": do_appeal,
    "answer": do_answer,
}

# What each action does in each state: None when allowed, else the start of the message.
EXPECTED = {
    ("open", "cancel"): None,
    ("open", "reopen"): "Only a dispute you cancelled can be reopened.",
    ("open", "decide"): None,
    ("open", "add_evidence"): None,
    ("open", "appeal"): "Only a decision against you can be appealed.",
    ("open", "answer"): "There is no appeal to answer.",
    ("cancelled", "cancel"): "Only an open dispute can be cancelled.",
    ("cancelled", "reopen"): None,
    ("cancelled", "decide"): "The buyer cancelled this dispute: it cannot be decided.",
    ("cancelled", "add_evidence"): "Evidence can only be added to an open dispute.",
    ("cancelled", "appeal"): "Only a decision against you can be appealed.",
    ("cancelled", "answer"): "There is no appeal to answer.",
    ("decided_rejected", "cancel"): "Only an open dispute can be cancelled.",
    ("decided_rejected", "reopen"): "Only a dispute you cancelled can be reopened.",
    ("decided_rejected", "decide"): "This dispute has already been decided.",
    ("decided_rejected", "add_evidence"): "Evidence can only be added to an open dispute.",
    ("decided_rejected", "appeal"): None,
    ("decided_rejected", "answer"): "There is no appeal to answer.",
    ("decided_full_refund", "cancel"): "Only an open dispute can be cancelled.",
    ("decided_full_refund", "reopen"): "Only a dispute you cancelled can be reopened.",
    ("decided_full_refund", "decide"): "This dispute has already been decided.",
    ("decided_full_refund", "add_evidence"): "Evidence can only be added to an open dispute.",
    ("decided_full_refund", "appeal"): "Only a decision against you can be appealed.",
    ("decided_full_refund", "answer"): "There is no appeal to answer.",
    ("appealed", "cancel"): "Only an open dispute can be cancelled.",
    ("appealed", "reopen"): "Only a dispute you cancelled can be reopened.",
    ("appealed", "decide"): "This dispute has already been decided.",
    ("appealed", "add_evidence"): "Evidence can only be added to an open dispute.",
    ("appealed", "appeal"): "You have already appealed this decision.",
    ("appealed", "answer"): None,
}


def test_the_table_covers_every_action_in_every_state():
    assert set(EXPECTED) == {(state, action) for state in STATES for action in ACTIONS}


@pytest.mark.parametrize(("state", "action"), sorted(EXPECTED))
def test_action_in_state(buyer, state, action):
    dispute = STATES[state](buyer)
    events_before = DisputeEvent.objects.filter(dispute=dispute).count()
    expected_error = EXPECTED[state, action]
    if expected_error is None:
        ACTIONS[action](dispute, buyer)
        assert DisputeEvent.objects.filter(dispute=dispute).count() == events_before + 1
    else:
        with pytest.raises(actions.DisputeActionError) as error:
            ACTIONS[action](dispute, buyer)
        assert error.value.message.startswith(expected_error)
        assert DisputeEvent.objects.filter(dispute=dispute).count() == events_before


def test_opening_records_an_event_with_the_request(buyer):
    dispute = open_dispute(buyer, refund_request="partial", requested_amount=Decimal("5.00"))
    event = dispute.events.get()
    assert event.kind == EventKind.OPENED
    assert event.actor == buyer
    assert event.details["requested_amount"] == "5.00"


def test_opening_rechecks_the_rules(buyer):
    now = timezone.now()
    too_early = disputable_order(
        buyer, shipped_at=now - timedelta(days=2), received_at=now - timedelta(days=1)
    )
    with pytest.raises(actions.DisputeActionError) as error:
        open_dispute(buyer, too_early)
    assert [reason.code for reason in error.value.eligibility.reasons] == ["too_early"]


def test_second_dispute_on_the_same_order_is_refused(buyer):
    dispute = open_dispute(buyer)
    with pytest.raises(actions.DisputeActionError) as error:
        open_dispute(buyer, dispute.order)
    assert [reason.code for reason in error.value.eligibility.reasons] == ["dispute_open"]


def test_database_allows_one_open_dispute_per_order(buyer):
    dispute = open_dispute(buyer)
    with pytest.raises(IntegrityError):
        Dispute.objects.create(
            order=dispute.order, reason="other", refund_request="full", description="x"
        )


def test_after_cancelling_a_new_dispute_is_refused_and_reopen_is_offered(buyer):
    dispute = cancelled_dispute(buyer)
    with pytest.raises(actions.DisputeActionError, match="reopen it instead"):
        open_dispute(buyer, dispute.order)


def test_reopen_only_within_the_window(buyer):
    dispute = cancelled_dispute(buyer)
    too_late = dispute.order.received_at + timedelta(days=15, seconds=1)
    with pytest.raises(actions.DisputeActionError) as error:
        actions.reopen_dispute(dispute=dispute, buyer=buyer, now=too_late, **REOPEN_ANSWERS)
    assert [reason.code for reason in error.value.eligibility.reasons] == ["window_closed"]


def test_reopen_takes_the_new_answers(buyer):
    dispute = cancelled_dispute(buyer)
    reopened = actions.reopen_dispute(dispute=dispute, buyer=buyer, **REOPEN_ANSWERS)
    assert reopened.status == DisputeStatus.OPEN
    assert reopened.reason == "wrong_item"
    assert reopened.cancelled_at is None
    assert [event.kind for event in reopened.events.all()] == ["opened", "cancelled", "reopened"]


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("12.99"), Decimal("13.00"), None])
def test_partial_refund_request_must_be_between_zero_and_the_price(buyer, amount):
    with pytest.raises(actions.DisputeActionError, match=r"more than 0 and less than 12\.99"):
        open_dispute(buyer, refund_request="partial", requested_amount=amount)


def test_another_buyer_cannot_act_on_a_dispute(buyer, other_buyer):
    dispute = open_dispute(buyer)
    with pytest.raises(actions.DisputeActionError, match="not yours"):
        actions.cancel_dispute(dispute=dispute, buyer=other_buyer)
    with pytest.raises(actions.DisputeActionError, match="not yours"):
        open_dispute(other_buyer, dispute.order)


def test_only_staff_decide(buyer):
    dispute = open_dispute(buyer)
    with pytest.raises(actions.DisputeActionError, match="Only a mediator"):
        actions.decide_dispute(dispute=dispute, mediator=buyer, outcome="rejected", note="No.")


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("12.99"), Decimal("50"), None])
def test_partial_refund_decision_must_be_below_the_price(buyer, amount):
    with pytest.raises(actions.DisputeActionError, match="less than the price paid"):
        actions.decide_dispute(
            dispute=open_dispute(buyer),
            mediator=make_mediator(),
            outcome=Outcome.PARTIAL_REFUND,
            refund_amount=amount,
            note="Half the cable works.",
        )


def test_decision_needs_a_note(buyer):
    with pytest.raises(actions.DisputeActionError, match="Write a note"):
        actions.decide_dispute(
            dispute=open_dispute(buyer), mediator=make_mediator(), outcome="rejected", note="  "
        )


def test_decision_is_recorded_with_the_mediator_and_emailed(
    buyer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dispute = decided_dispute(buyer)
    event = dispute.events.get(kind=EventKind.DECIDED)
    assert event.actor.username == "mediator"
    assert dispute.decided_by == event.actor
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [buyer.email]
    assert "contact customer service" in mail.outbox[0].body


def test_partial_refund_below_the_request_is_against_the_buyer(buyer):
    dispute = decided_dispute(buyer, Outcome.PARTIAL_REFUND, refund_amount=Decimal("4.00"))
    assert dispute.is_against_buyer
    actions.send_appeal(dispute=dispute, buyer=buyer, message="I asked for a full refund.")


def test_appeal_answer_is_emailed(buyer, django_capture_on_commit_callbacks):
    dispute = appealed_dispute(buyer)
    with django_capture_on_commit_callbacks(execute=True):
        actions.answer_appeal(
            appeal=dispute.appeal, mediator=make_mediator(), answer="We upheld the decision."
        )
    assert "We upheld the decision." in mail.outbox[-1].body
    assert dispute.events.last().kind == EventKind.APPEAL_ANSWERED


def test_dispute_remembers_the_language_it_was_opened_in(buyer):
    with translation.override("fr"):
        dispute = open_dispute(buyer)
    assert dispute.language == "fr"


def test_events_are_append_only(buyer):
    event = open_dispute(buyer).events.get()
    event.details = {"forged": True}
    with pytest.raises(ValueError, match="append-only"):
        event.save()


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "decided", "outcome": "rejected", "decision_note": "No."},  # no time, no one
        {"reason": "bored"},
        {"refund_request": "everything"},
    ],
)
def test_database_refuses_impossible_disputes(buyer, fields):
    from django.db import transaction

    dispute = open_dispute(buyer)
    with pytest.raises(IntegrityError), transaction.atomic():
        Dispute.objects.filter(pk=dispute.pk).update(**fields)
