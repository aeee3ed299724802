"""Every action in every state: allowed, or refused with a code and a message a person can read."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError
from django.utils import timezone, translation

from disputes import actions
from disputes.errors import DisputeErrorCode
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
    actions.answer_appeal(appeal=dispute.appeal, mediator=make_mediator(), answer="We checked.")


ACTIONS = {
    "cancel": do_cancel,
    "reopen": do_reopen,
    "decide": do_decide,
    "add_evidence": do_add_evidence,
    "appeal": do_appeal,
    "answer": do_answer,
}

# There is nothing to answer before the buyer appeals: the admin offers no answer page.
NO_APPEAL = "no_appeal"
Code = DisputeErrorCode

# What each action does in each state: None when allowed, else the code it is refused with.
EXPECTED = {
    ("open", "cancel"): None,
    ("open", "reopen"): Code.NOT_CANCELLED,
    ("open", "decide"): None,
    ("open", "add_evidence"): None,
    ("open", "appeal"): Code.NOT_APPEALABLE,
    ("open", "answer"): NO_APPEAL,
    ("cancelled", "cancel"): Code.NOT_OPEN,
    ("cancelled", "reopen"): None,
    ("cancelled", "decide"): Code.CANCELLED,
    ("cancelled", "add_evidence"): Code.NOT_OPEN,
    ("cancelled", "appeal"): Code.NOT_APPEALABLE,
    ("cancelled", "answer"): NO_APPEAL,
    ("decided_rejected", "cancel"): Code.NOT_OPEN,
    ("decided_rejected", "reopen"): Code.NOT_CANCELLED,
    ("decided_rejected", "decide"): Code.ALREADY_DECIDED,
    ("decided_rejected", "add_evidence"): Code.NOT_OPEN,
    ("decided_rejected", "appeal"): None,
    ("decided_rejected", "answer"): NO_APPEAL,
    ("decided_full_refund", "cancel"): Code.NOT_OPEN,
    ("decided_full_refund", "reopen"): Code.NOT_CANCELLED,
    ("decided_full_refund", "decide"): Code.ALREADY_DECIDED,
    ("decided_full_refund", "add_evidence"): Code.NOT_OPEN,
    ("decided_full_refund", "appeal"): Code.NOT_APPEALABLE,
    ("decided_full_refund", "answer"): NO_APPEAL,
    ("appealed", "cancel"): Code.NOT_OPEN,
    ("appealed", "reopen"): Code.NOT_CANCELLED,
    ("appealed", "decide"): Code.ALREADY_DECIDED,
    ("appealed", "add_evidence"): Code.NOT_OPEN,
    ("appealed", "appeal"): Code.ALREADY_APPEALED,
    ("appealed", "answer"): None,
}


def test_the_table_covers_every_action_in_every_state():
    assert set(EXPECTED) == {(state, action) for state in STATES for action in ACTIONS}


@pytest.mark.parametrize(("state", "action"), sorted(EXPECTED))
def test_action_in_state(buyer, state, action):
    dispute = STATES[state](buyer)
    events_before = DisputeEvent.objects.filter(dispute=dispute).count()
    expected = EXPECTED[state, action]
    if expected == NO_APPEAL:
        assert not Appeal.objects.filter(dispute=dispute).exists()
    elif expected is None:
        ACTIONS[action](dispute, buyer)
        assert DisputeEvent.objects.filter(dispute=dispute).count() == events_before + 1
    else:
        with pytest.raises(actions.DisputeActionError) as error:
            ACTIONS[action](dispute, buyer)
        assert error.value.code == expected
        assert error.value.message  # a sentence for the person, beside the code
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
