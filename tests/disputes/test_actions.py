"""Every action in every state: allowed, or refused with a code and a message a person can read."""

import functools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError
from django.utils import timezone, translation

from disputes import actions
from disputes.errors import DisputeErrorCode
from disputes.models import (
    Appeal,
    Dispute,
    DisputeEvent,
    DisputeStatus,
    EventKind,
    Outcome,
    Party,
    Stage,
)
from disputes.stages import EXPIRING_STAGES, STAGES
from tests.conftest import corpus_upload, run_tasks, store_evidence
from tests.disputes.builders import (
    CARRIER,
    DESCRIPTION,
    STATEMENT,
    TRACKING_NUMBER,
    agreed_dispute,
    answerable_dispute,
    answerable_dispute_at,
    appealed_dispute,
    cancelled_dispute,
    decided_dispute,
    disputable_order,
    extended_dispute,
    information_requested_dispute,
    lost_parcel_order,
    make_mediator,
    make_seller_account,
    not_received_dispute,
    offered_dispute,
    open_dispute,
    parcel_arrived_dispute,
    refused_dispute,
    return_decided_dispute,
    return_on_its_way_dispute,
    return_to_ship_dispute,
    seller_of,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db

REOPEN_ANSWERS = {"reason": "wrong_item", "refund_request": "full", "description": DESCRIPTION}
NOTE = "No fault seen on the photos."
PHOTO = "good/png_photo_hopper.png"


def decided_after_refusal(outcome):
    def build(buyer):
        return actions.decide_dispute(
            reason="evidence_shows_defect",
            dispute=refused_dispute(buyer),
            mediator=make_mediator(),
            outcome=outcome,
            note=NOTE,
        )

    return build


def appealed_after_refusal(buyer):
    dispute = decided_after_refusal(Outcome.REJECTED)(buyer)
    actions.send_appeal(dispute=dispute, appellant=buyer, message="The seller never answered me.")
    return dispute


def cancelled_answerable(buyer):
    return actions.cancel_dispute(dispute=answerable_dispute(buyer), buyer=buyer)


# A dispute in each stage of the stage table, then in the other states a dispute can be in.
IN_STAGE = {
    Stage.WAITING_FOR_SELLER: answerable_dispute,
    # A parcel that never arrived (PRODUCT.md §2a).
    Stage.NOT_RECEIVED_WAITING_FOR_SELLER: not_received_dispute,
    Stage.EXTENSION_WAITING_FOR_BUYER: extended_dispute,
    Stage.OFFER_WAITING_FOR_BUYER: offered_dispute,
    Stage.WITH_MEDIATOR: refused_dispute,
    Stage.INFORMATION_REQUESTED: information_requested_dispute,
    Stage.RETURN_TO_SHIP: return_to_ship_dispute,
    Stage.RETURN_ON_ITS_WAY: return_on_its_way_dispute,
}


def seller_late(buyer):
    """Waiting for a seller whose deadline passed a day ago, the worker not yet run."""
    return answerable_dispute_at(buyer, timezone.now() - timedelta(days=6))


def buyer_late(buyer):
    """An offer whose answer was due yesterday, the worker not yet run."""
    dispute = answerable_dispute_at(buyer, timezone.now() - timedelta(days=7))
    return actions.make_offer(
        dispute=dispute,
        seller=seller_of(dispute),
        amount=Decimal("5.00"),
        now=timezone.now() - timedelta(days=6),
    )


def asked_late(buyer):
    """The seller was asked for information and did not reply in time; worker not yet run."""
    return actions.request_information(
        dispute=refused_dispute(buyer),
        mediator=make_mediator(),
        party=Party.SELLER,
        message="Which cable did you send?",
        now=timezone.now() - timedelta(days=4),
    )


def return_not_shipped(buyer):
    """The seller asked for the item back eleven days ago; the buyer has not shipped it."""
    return return_to_ship_dispute(buyer, opened=timezone.now() - timedelta(days=12))


def return_not_confirmed(buyer):
    """The return was shipped sixteen days ago; the seller has not answered."""
    return return_on_its_way_dispute(buyer, opened=timezone.now() - timedelta(days=20))


def not_received_late(buyer):
    """A missing parcel whose seller's answer was due yesterday, the worker not yet run."""
    return not_received_dispute(buyer, timezone.now() - timedelta(days=6))


def extension_late(buyer):
    """A new delivery date whose answer was due yesterday, the worker not yet run."""
    return extended_dispute(buyer, timezone.now() - timedelta(days=6))


# A dispute in each stage whose deadline acts, once it has passed.
LATE = {
    Stage.WAITING_FOR_SELLER: seller_late,
    Stage.OFFER_WAITING_FOR_BUYER: buyer_late,
    Stage.INFORMATION_REQUESTED: asked_late,
    Stage.NOT_RECEIVED_WAITING_FOR_SELLER: not_received_late,
    Stage.EXTENSION_WAITING_FOR_BUYER: extension_late,
    Stage.RETURN_TO_SHIP: return_not_shipped,
    Stage.RETURN_ON_ITS_WAY: return_not_confirmed,
}
STATES = {
    **IN_STAGE,
    **{f"{stage}_late": build for stage, build in LATE.items()},
    "return_to_ship_decided": return_decided_dispute,
    "no_seller_account": open_dispute,
    "cancelled": cancelled_answerable,
    "agreed": agreed_dispute,
    "decided_rejected": decided_after_refusal(Outcome.REJECTED),
    "decided_full_refund": decided_after_refusal(Outcome.FULL_REFUND),
    "appealed": appealed_after_refusal,
    "not_received_parcel_arrived": parcel_arrived_dispute,
}

# Who may do each action, and what the action is, given the dispute and the actor.
ACTIONS = {
    "cancel": ("buyer", lambda d, user: actions.cancel_dispute(dispute=d, buyer=user)),
    "reopen": (
        "buyer",
        lambda d, user: actions.reopen_dispute(dispute=d, buyer=user, **REOPEN_ANSWERS),
    ),
    "accept_request": ("seller", lambda d, user: actions.accept_request(dispute=d, seller=user)),
    "make_offer": (
        "seller",
        lambda d, user: actions.make_offer(dispute=d, seller=user, amount=Decimal("4.00")),
    ),
    "refuse_request": (
        "seller",
        lambda d, user: actions.refuse_request(dispute=d, seller=user, statement=STATEMENT),
    ),
    "accept_offer": ("buyer", lambda d, user: actions.accept_offer(dispute=d, buyer=user)),
    "ask_for_mediation": (
        "buyer",
        lambda d, user: actions.ask_for_mediation(dispute=d, buyer=user),
    ),
    "request_information": (
        "mediator",
        lambda d, user: actions.request_information(
            dispute=d, mediator=user, party=Party.SELLER, message="Which cable did you send?"
        ),
    ),
    "message": (
        "buyer",
        lambda d, user: actions.post_message(dispute=d, author=user, body="Any news?"),
    ),
    "add_evidence": (
        "buyer",
        lambda d, user: actions.add_evidence(dispute=d, uploader=user, evidence=[]),
    ),
    "decide": (
        "mediator",
        lambda d, user: actions.decide_dispute(
            reason="evidence_shows_defect",
            dispute=d,
            mediator=user,
            outcome=Outcome.REJECTED,
            note=NOTE,
        ),
    ),
    "appeal": (
        "buyer",
        lambda d, user: actions.send_appeal(
            dispute=d, appellant=user, message="Look again, please."
        ),
    ),
    "answer": (
        "mediator",
        lambda d, user: actions.answer_appeal(
            reason="item_as_described", appeal=d.appeal, mediator=user, answer="Checked."
        ),
    ),
    # Returning the item before the refund (PRODUCT.md §4e).
    "accept_if_returned": (
        "seller",
        lambda d, user: actions.accept_if_returned(dispute=d, seller=user),
    ),
    "decide_refund_after_return": (
        "mediator",
        lambda d, user: actions.decide_refund_after_return(
            dispute=d, mediator=user, reason="no_return_received", note=NOTE
        ),
    ),
    "ship_return": (
        "buyer",
        lambda d, user: actions.ship_return(
            dispute=d, buyer=user, carrier=CARRIER, tracking_number=TRACKING_NUMBER
        ),
    ),
    "confirm_return_arrived": (
        "seller",
        lambda d, user: actions.confirm_return_arrived(dispute=d, seller=user),
    ),
    "report_return_problem": (
        "seller",
        lambda d, user: actions.report_return_problem(dispute=d, seller=user, statement=STATEMENT),
    ),
}

# There is nothing to answer before the buyer appeals: the admin offers no answer page.
NO_APPEAL = "no_appeal"
Code = DisputeErrorCode
ALLOWED = None
STAGE = Code.WRONG_STAGE
LATE_ANSWER = Code.DEADLINE_PASSED

# The rightful actor's result of each action in each state: ALLOWED, or the refusal's code.
# Columns: cancel, reopen, accept_request, make_offer, refuse_request, accept_offer,
# ask_for_mediation, request_information, message, add_evidence, decide, appeal, answer;
# then the return's: accept_if_returned, decide_refund_after_return, ship_return,
# confirm_return_arrived, report_return_problem.
NO_RETURN = (STAGE, STAGE, STAGE, STAGE, STAGE)
ENDED_RETURN = (STAGE, Code.ALREADY_DECIDED, STAGE, STAGE, STAGE)
ROWS = {
    "waiting_for_seller": (
        ALLOWED, Code.NOT_CANCELLED, ALLOWED, ALLOWED, ALLOWED, STAGE,
        STAGE, STAGE, ALLOWED, ALLOWED, STAGE, Code.NOT_APPEALABLE, NO_APPEAL,
        ALLOWED, STAGE, STAGE, STAGE, STAGE,
    ),
    "offer_waiting_for_buyer": (
        ALLOWED, Code.NOT_CANCELLED, STAGE, STAGE, STAGE, ALLOWED,
        ALLOWED, STAGE, ALLOWED, ALLOWED, STAGE, Code.NOT_APPEALABLE, NO_APPEAL,
        *NO_RETURN,
    ),
    "with_mediator": (
        ALLOWED, Code.NOT_CANCELLED, STAGE, STAGE, STAGE, STAGE,
        STAGE, ALLOWED, ALLOWED, ALLOWED, ALLOWED, Code.NOT_APPEALABLE, NO_APPEAL,
        STAGE, ALLOWED, STAGE, STAGE, STAGE,
    ),
    "information_requested": (
        ALLOWED, Code.NOT_CANCELLED, STAGE, STAGE, STAGE, STAGE,
        STAGE, ALLOWED, ALLOWED, ALLOWED, ALLOWED, Code.NOT_APPEALABLE, NO_APPEAL,
        STAGE, ALLOWED, STAGE, STAGE, STAGE,
    ),
    # The buyer ships the return, or refuses the seller's condition (not a mediator's).
    "return_to_ship": (
        STAGE, Code.NOT_CANCELLED, STAGE, STAGE, STAGE, STAGE,
        ALLOWED, STAGE, ALLOWED, ALLOWED, STAGE, Code.NOT_APPEALABLE, NO_APPEAL,
        STAGE, STAGE, ALLOWED, STAGE, STAGE,
    ),
    "return_to_ship_decided": (
        STAGE, Code.NOT_CANCELLED, STAGE, STAGE, STAGE, STAGE,
        STAGE, STAGE, ALLOWED, ALLOWED, STAGE, Code.NOT_APPEALABLE, NO_APPEAL,
        STAGE, STAGE, ALLOWED, STAGE, STAGE,
    ),
    "return_on_its_way": (
        STAGE, Code.NOT_CANCELLED, STAGE, STAGE, STAGE, STAGE,
        STAGE, STAGE, ALLOWED, ALLOWED, STAGE, Code.NOT_APPEALABLE, NO_APPEAL,
        STAGE, STAGE, STAGE, ALLOWED, ALLOWED,
    ),
    # Late: the party's own answers are refused once the dispute has moved on.
    "waiting_for_seller_late": (
        ALLOWED, Code.NOT_CANCELLED, LATE_ANSWER, LATE_ANSWER, LATE_ANSWER, STAGE,
        STAGE, STAGE, ALLOWED, ALLOWED, STAGE, Code.NOT_APPEALABLE, NO_APPEAL,
        LATE_ANSWER, STAGE, STAGE, STAGE, STAGE,
    ),
    "offer_waiting_for_buyer_late": (
        ALLOWED, Code.NOT_CANCELLED, STAGE, STAGE, STAGE, LATE_ANSWER,
        LATE_ANSWER, STAGE, ALLOWED, ALLOWED, STAGE, Code.NOT_APPEALABLE, NO_APPEAL,
        *NO_RETURN,
    ),
    "information_requested_late": (
        ALLOWED, Code.NOT_CANCELLED, STAGE, STAGE, STAGE, STAGE,
        STAGE, ALLOWED, ALLOWED, ALLOWED, ALLOWED, Code.NOT_APPEALABLE, NO_APPEAL,
        STAGE, ALLOWED, STAGE, STAGE, STAGE,
    ),
    "return_to_ship_late": (
        STAGE, Code.NOT_CANCELLED, STAGE, STAGE, STAGE, STAGE,
        LATE_ANSWER, STAGE, ALLOWED, ALLOWED, STAGE, Code.NOT_APPEALABLE, NO_APPEAL,
        STAGE, STAGE, LATE_ANSWER, STAGE, STAGE,
    ),
    "return_on_its_way_late": (
        STAGE, Code.NOT_CANCELLED, STAGE, STAGE, STAGE, STAGE,
        STAGE, STAGE, ALLOWED, ALLOWED, STAGE, Code.NOT_APPEALABLE, NO_APPEAL,
        STAGE, STAGE, STAGE, LATE_ANSWER, LATE_ANSWER,
    ),
    # A seller known by name only has no return address unless the marketplace sent one.
    "no_seller_account": (
        ALLOWED, Code.NOT_CANCELLED, Code.NOT_THE_SELLER, Code.NOT_THE_SELLER,
        Code.NOT_THE_SELLER, STAGE, STAGE, Code.NO_SELLER_ACCOUNT, ALLOWED, ALLOWED,
        ALLOWED, Code.NOT_APPEALABLE, NO_APPEAL,
        Code.NOT_THE_SELLER, Code.NO_RETURN_ADDRESS, STAGE, Code.NOT_THE_SELLER,
        Code.NOT_THE_SELLER,
    ),
    "cancelled": (
        Code.NOT_OPEN, ALLOWED, STAGE, STAGE, STAGE, STAGE,
        STAGE, STAGE, Code.DISPUTE_CLOSED, Code.NOT_OPEN, Code.CANCELLED,
        Code.NOT_APPEALABLE, NO_APPEAL,
        STAGE, Code.CANCELLED, STAGE, STAGE, STAGE,
    ),
    "agreed": (
        Code.NOT_OPEN, Code.NOT_CANCELLED, STAGE, STAGE, STAGE, STAGE,
        STAGE, STAGE, Code.DISPUTE_CLOSED, Code.NOT_OPEN, Code.ALREADY_DECIDED,
        Code.NOT_APPEALABLE, NO_APPEAL,
        *ENDED_RETURN,
    ),
    "decided_rejected": (
        Code.NOT_OPEN, Code.NOT_CANCELLED, STAGE, STAGE, STAGE, STAGE,
        STAGE, STAGE, Code.DISPUTE_CLOSED, Code.NOT_OPEN, Code.ALREADY_DECIDED,
        ALLOWED, NO_APPEAL,
        *ENDED_RETURN,
    ),
    "decided_full_refund": (
        Code.NOT_OPEN, Code.NOT_CANCELLED, STAGE, STAGE, STAGE, STAGE,
        STAGE, STAGE, Code.DISPUTE_CLOSED, Code.NOT_OPEN, Code.ALREADY_DECIDED,
        Code.NOT_APPEALABLE, NO_APPEAL,
        *ENDED_RETURN,
    ),
    "appealed": (
        Code.NOT_OPEN, Code.NOT_CANCELLED, STAGE, STAGE, STAGE, STAGE,
        STAGE, STAGE, Code.DISPUTE_CLOSED, Code.NOT_OPEN, Code.ALREADY_DECIDED,
        Code.ALREADY_APPEALED, ALLOWED,
        *ENDED_RETURN,
    ),
    # A parcel that never arrived: the seller accepts (refunds) it, nothing else of these.
    "not_received_waiting_for_seller": (
        ALLOWED, Code.NOT_CANCELLED, ALLOWED, STAGE, STAGE, STAGE,
        STAGE, STAGE, ALLOWED, ALLOWED, STAGE, Code.NOT_APPEALABLE, NO_APPEAL,
        *NO_RETURN,
    ),
    "not_received_waiting_for_seller_late": (
        ALLOWED, Code.NOT_CANCELLED, LATE_ANSWER, STAGE, STAGE, STAGE,
        STAGE, STAGE, ALLOWED, ALLOWED, STAGE, Code.NOT_APPEALABLE, NO_APPEAL,
        *NO_RETURN,
    ),
    "extension_waiting_for_buyer": (
        ALLOWED, Code.NOT_CANCELLED, STAGE, STAGE, STAGE, STAGE,
        STAGE, STAGE, ALLOWED, ALLOWED, STAGE, Code.NOT_APPEALABLE, NO_APPEAL,
        *NO_RETURN,
    ),
    "extension_waiting_for_buyer_late": (
        ALLOWED, Code.NOT_CANCELLED, STAGE, STAGE, STAGE, STAGE,
        STAGE, STAGE, ALLOWED, ALLOWED, STAGE, Code.NOT_APPEALABLE, NO_APPEAL,
        *NO_RETURN,
    ),
    "not_received_parcel_arrived": (
        ALLOWED, Code.NOT_CANCELLED, ALLOWED, STAGE, STAGE, STAGE,
        STAGE, STAGE, ALLOWED, ALLOWED, STAGE, Code.NOT_APPEALABLE, NO_APPEAL,
        *NO_RETURN,
    ),
}  # fmt: skip

# A parcel that never arrived (PRODUCT.md §2a): its actions, and their column in every state.
PARCEL_ACTIONS = {
    "refuse_with_proof_of_delivery": (
        "seller",
        lambda d, user: actions.refuse_with_proof_of_delivery(
            dispute=d, seller=user, carrier="La Poste", tracking_number="6A123", statement=STATEMENT
        ),
    ),
    "extend_delivery": (
        "seller",
        lambda d, user: actions.extend_delivery(dispute=d, seller=user, days=20),
    ),
    "accept_extension": ("buyer", lambda d, user: actions.accept_extension(dispute=d, buyer=user)),
    "refuse_extension": ("buyer", lambda d, user: actions.refuse_extension(dispute=d, buyer=user)),
    "keep_with_another_reason": (
        "buyer",
        lambda d, user: actions.keep_with_another_reason(
            dispute=d, buyer=user, reason="defective", description=DESCRIPTION
        ),
    ),
}
NOT_PARCEL = Code.NOT_A_MISSING_PARCEL
IN_TRANSIT = Code.PARCEL_NOT_RECEIVED
# Columns: refuse_with_proof_of_delivery, extend_delivery, accept_extension,
# refuse_extension, keep_with_another_reason.
PARCEL_ROWS = {
    "waiting_for_seller": (STAGE, STAGE, STAGE, STAGE, NOT_PARCEL),
    "offer_waiting_for_buyer": (STAGE, STAGE, STAGE, STAGE, NOT_PARCEL),
    "with_mediator": (STAGE, STAGE, STAGE, STAGE, NOT_PARCEL),
    "information_requested": (STAGE, STAGE, STAGE, STAGE, NOT_PARCEL),
    "waiting_for_seller_late": (STAGE, STAGE, STAGE, STAGE, NOT_PARCEL),
    "offer_waiting_for_buyer_late": (STAGE, STAGE, STAGE, STAGE, NOT_PARCEL),
    "information_requested_late": (STAGE, STAGE, STAGE, STAGE, NOT_PARCEL),
    "no_seller_account": (Code.NOT_THE_SELLER, Code.NOT_THE_SELLER, STAGE, STAGE, NOT_PARCEL),
    "cancelled": (STAGE, STAGE, STAGE, STAGE, Code.NOT_OPEN),
    "agreed": (STAGE, STAGE, STAGE, STAGE, Code.NOT_OPEN),
    "decided_rejected": (STAGE, STAGE, STAGE, STAGE, Code.NOT_OPEN),
    "decided_full_refund": (STAGE, STAGE, STAGE, STAGE, Code.NOT_OPEN),
    "appealed": (STAGE, STAGE, STAGE, STAGE, Code.NOT_OPEN),
    "not_received_waiting_for_seller": (ALLOWED, ALLOWED, STAGE, STAGE, IN_TRANSIT),
    "not_received_waiting_for_seller_late": (LATE_ANSWER, LATE_ANSWER, STAGE, STAGE, IN_TRANSIT),
    "extension_waiting_for_buyer": (STAGE, STAGE, ALLOWED, ALLOWED, IN_TRANSIT),
    "extension_waiting_for_buyer_late": (STAGE, STAGE, LATE_ANSWER, LATE_ANSWER, IN_TRANSIT),
    "not_received_parcel_arrived": (ALLOWED, Code.INVALID_EXTENSION, STAGE, STAGE, ALLOWED),
    "return_to_ship": (STAGE, STAGE, STAGE, STAGE, NOT_PARCEL),
    "return_to_ship_decided": (STAGE, STAGE, STAGE, STAGE, NOT_PARCEL),
    "return_on_its_way": (STAGE, STAGE, STAGE, STAGE, NOT_PARCEL),
    "return_to_ship_late": (STAGE, STAGE, STAGE, STAGE, NOT_PARCEL),
    "return_on_its_way_late": (STAGE, STAGE, STAGE, STAGE, NOT_PARCEL),
}


def expected(rows, columns):
    return {
        (state, action): result
        for state, row in rows.items()
        for action, result in zip(columns, row, strict=True)
    }


EXPECTED = expected(ROWS, ACTIONS) | expected(PARCEL_ROWS, PARCEL_ACTIONS)
EVERY_ACTION = ACTIONS | PARCEL_ACTIONS
# Whatever the state, an action by someone who is not its rightful actor is refused so.
WRONG_ACTOR = {
    "buyer": Code.NOT_YOURS,
    "seller": Code.NOT_THE_SELLER,
    "mediator": Code.NOT_MEDIATOR,
}
WRONG_ACTOR_EXCEPTIONS = {
    "message": Code.NOT_A_PARTY,
    "add_evidence": Code.NOT_A_PARTY,
    "appeal": Code.NOT_A_PARTY,
}


def rightful(role, dispute, buyer):
    if role == "buyer":
        return buyer
    if role == "mediator":
        return make_mediator()
    # A seller without an account cannot answer: another seller's account tries instead.
    return seller_of(dispute) or make_seller_account("other-seller", "Another Store").user


def stranger(role):
    if role == "seller":
        return make_seller_account("other-seller", "Another Store").user
    return make_user("mallory")


def test_the_table_covers_every_action_in_every_state():
    assert set(EXPECTED) == {(state, action) for state in STATES for action in EVERY_ACTION}


def test_the_table_has_a_dispute_in_every_stage_of_the_stage_table():
    assert set(IN_STAGE) == set(STAGES)


def test_the_table_has_a_late_dispute_in_every_stage_whose_deadline_acts():
    assert set(LATE) == set(EXPIRING_STAGES)


@pytest.mark.parametrize("stage", LATE)
def test_each_late_dispute_is_past_its_stages_deadline(buyer, stage):
    dispute = LATE[stage](buyer)
    assert dispute.stage == stage
    assert dispute.stage_deadline < timezone.now()


@pytest.mark.parametrize("stage", IN_STAGE)
def test_each_stages_dispute_is_in_that_stage(buyer, stage):
    dispute = IN_STAGE[stage](buyer)
    assert (dispute.status, dispute.stage) == (DisputeStatus.OPEN, stage)


def assert_refused(code, act, dispute):
    events_before = DisputeEvent.objects.filter(dispute=dispute).count()
    with pytest.raises(actions.DisputeActionError) as error:
        act()
    assert error.value.code == code
    assert error.value.message  # a sentence for the person, beside the code
    assert DisputeEvent.objects.filter(dispute=dispute).count() == events_before


@pytest.mark.parametrize(("state", "action"), sorted(EXPECTED))
def test_action_in_state_by_its_rightful_actor(buyer, state, action):
    dispute = STATES[state](buyer)
    role, act = EVERY_ACTION[action]
    actor = rightful(role, dispute, buyer)
    expected = EXPECTED[state, action]
    if expected == NO_APPEAL:
        assert not Appeal.objects.filter(dispute=dispute).exists()
    elif expected == LATE_ANSWER:
        # Refused, and the dispute moved on by the worker's rule, which the refusal keeps.
        with pytest.raises(actions.DisputeActionError) as error:
            act(dispute, actor)
        assert error.value.code == expected
        moved_on = (EventKind.ESCALATED, EventKind.RETURN_REFUND_RELEASED)
        assert dispute.events.filter(kind__in=moved_on, actor=None).exists()
    elif expected is ALLOWED:
        events_before = DisputeEvent.objects.filter(dispute=dispute).count()
        act(dispute, actor)
        assert DisputeEvent.objects.filter(dispute=dispute).count() > events_before
    else:
        assert_refused(expected, lambda: act(dispute, actor), dispute)


@pytest.mark.parametrize(("state", "action"), sorted(EXPECTED))
def test_action_in_state_by_anyone_else(buyer, state, action):
    dispute = STATES[state](buyer)
    role, act = EVERY_ACTION[action]
    if EXPECTED[state, action] == NO_APPEAL:
        return
    code = WRONG_ACTOR_EXCEPTIONS.get(action, WRONG_ACTOR[role])
    assert_refused(code, lambda: act(dispute, stranger(role)), dispute)


def test_opening_records_an_event_with_the_request(buyer):
    dispute = open_dispute(buyer, refund_request="partial", requested_amount=Decimal("5.00"))
    event = dispute.events.get(kind=EventKind.OPENED)
    assert event.kind == EventKind.OPENED
    assert event.actor == buyer
    assert event.details["requested_amount"] == "5.00"


def test_a_dispute_keeps_its_orders_seller_from_its_opening(buyer):
    seller = make_seller_account()
    dispute = answerable_dispute(buyer, seller)
    assert Dispute.objects.get(pk=dispute.pk).seller == seller
    assert Dispute.objects.of_seller(seller.user).get() == dispute


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
            order=dispute.order,
            seller=dispute.seller,
            reason="other",
            refund_request="full",
            description="x",
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
    assert [event.kind for event in reopened.events.all()] == [
        "opened",
        "escalated",
        "cancelled",
        "reopened",
        "escalated",
    ]


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("12.99"), Decimal("13.00"), None])
def test_partial_refund_request_must_be_between_zero_and_the_price(buyer, amount):
    with pytest.raises(actions.DisputeActionError) as error:
        open_dispute(buyer, refund_request="partial", requested_amount=amount)
    assert error.value.code == Code.INVALID_AMOUNT


@pytest.mark.parametrize(("language", "price"), [("en", "€12.99"), ("fr", "12,99\u00a0€")])
def test_an_amount_out_of_range_is_refused_with_the_price_written_the_readers_way(
    buyer, language, price
):
    dispute = answerable_dispute(buyer)
    with translation.override(language), pytest.raises(actions.DisputeActionError) as error:
        actions.make_offer(dispute=dispute, seller=seller_of(dispute), amount=Decimal("13"))
    assert error.value.code == Code.INVALID_AMOUNT
    assert f"({price})" in error.value.message


def test_another_buyer_cannot_act_on_a_dispute(buyer, other_buyer):
    dispute = open_dispute(buyer)
    with pytest.raises(actions.DisputeActionError, match="not yours"):
        actions.cancel_dispute(dispute=dispute, buyer=other_buyer)
    with pytest.raises(actions.DisputeActionError, match="not yours"):
        open_dispute(other_buyer, dispute.order)


def test_only_staff_decide(buyer):
    dispute = open_dispute(buyer)
    with pytest.raises(actions.DisputeActionError, match="Only a mediator"):
        actions.decide_dispute(
            reason="evidence_shows_defect",
            dispute=dispute,
            mediator=buyer,
            outcome="rejected",
            note="No.",
        )


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("12.99"), Decimal("50"), None])
def test_partial_refund_decision_must_be_below_the_price(buyer, amount):
    with pytest.raises(actions.DisputeActionError) as error:
        actions.decide_dispute(
            reason="evidence_shows_defect",
            dispute=open_dispute(buyer),
            mediator=make_mediator(),
            outcome=Outcome.PARTIAL_REFUND,
            refund_amount=amount,
            note="Half the cable works.",
        )
    assert error.value.code == Code.INVALID_AMOUNT


def test_decision_needs_a_note(buyer):
    with pytest.raises(actions.DisputeActionError, match="Write a note"):
        actions.decide_dispute(
            reason="evidence_shows_defect",
            dispute=open_dispute(buyer),
            mediator=make_mediator(),
            outcome="rejected",
            note="  ",
        )


def test_decision_is_recorded_with_the_mediator_and_emailed(buyer):
    dispute = decided_dispute(buyer)
    run_tasks()
    event = dispute.events.get(kind=EventKind.DECIDED)
    assert event.actor.username == "mediator"
    assert dispute.decided_by == event.actor
    # The buyer's acknowledgement of the opening, then the decision.
    assert [email.to for email in mail.outbox] == [[buyer.email], [buyer.email]]
    assert "contact customer service" in mail.outbox[-1].body


def test_partial_refund_below_the_request_is_against_the_buyer(buyer):
    dispute = decided_dispute(buyer, Outcome.PARTIAL_REFUND, refund_amount=Decimal("4.00"))
    assert dispute.is_against_buyer
    actions.send_appeal(dispute=dispute, appellant=buyer, message="I asked for a full refund.")


def test_appeal_answer_is_emailed(buyer):
    dispute = appealed_dispute(buyer)
    actions.answer_appeal(
        reason="item_as_described",
        appeal=dispute.appeal,
        mediator=make_mediator(),
        answer="We upheld the decision.",
    )
    run_tasks()
    assert "We upheld the decision." in mail.outbox[-1].body
    assert dispute.events.last().kind == EventKind.APPEAL_ANSWERED


def test_dispute_remembers_the_language_it_was_opened_in(buyer):
    with translation.override("fr"):
        dispute = open_dispute(buyer)
    assert dispute.language == "fr"


def test_events_are_append_only(buyer):
    event = open_dispute(buyer).events.first()
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


def test_two_forms_filled_at_once_cannot_send_more_files_than_the_limit(buyer, settings):
    """A seller's message and refusal each take files up to the limit while their drafts
    are counted apart; whichever is sent second is refused whole, and nothing is attached."""
    settings.EVIDENCE_MAX_FILES = 2
    dispute = answerable_dispute(buyer)
    seller = seller_of(dispute)
    photos = [corpus_upload(PHOTO, name=f"scratch-{n}.png") for n in range(4)]
    for_message = store_evidence(photos[:2], seller, dispute.order, draft_key="message").stored
    for_refusal = store_evidence(photos[2:], seller, dispute.order, draft_key="refusal").stored
    actions.post_message(dispute=dispute, author=seller, body="Photos.", evidence=for_message)

    with pytest.raises(actions.DisputeActionError) as refused:
        actions.refuse_request(
            dispute=dispute, seller=seller, statement=STATEMENT, evidence=for_refusal
        )

    assert refused.value.code == DisputeErrorCode.TOO_MANY_FILES
    assert str(refused.value) == (
        "You can send at most 2 files in a dispute and have sent 2: remove 2 files before sending."
    )
    assert dispute.evidence.filter(uploaded_by=seller).count() == 2
    assert Dispute.objects.get(pk=dispute.pk).stage == Stage.WAITING_FOR_SELLER


def lower_price(dispute, price):
    """The order's price as if changed behind the dispute's back (the importer refuses it)."""
    type(dispute.order).objects.filter(pk=dispute.order_id).update(price=price)


def test_accepting_an_offer_checks_it_against_the_price_again(buyer):
    dispute = offered_dispute(buyer)  # 5.00
    lower_price(dispute, Decimal("1.00"))
    assert_refused(
        Code.INVALID_AMOUNT, lambda: actions.accept_offer(dispute=dispute, buyer=buyer), dispute
    )


def test_accepting_a_request_checks_its_amount_against_the_price_again(buyer):
    dispute = answerable_dispute(buyer, refund_request="partial", requested_amount=Decimal("5.00"))
    lower_price(dispute, Decimal("5.00"))
    assert_refused(
        Code.INVALID_AMOUNT,
        lambda: actions.accept_request(dispute=dispute, seller=seller_of(dispute)),
        dispute,
    )


# A parcel that never arrived (PRODUCT.md §2a).


def test_a_parcel_in_transit_past_its_date_can_only_be_disputed_as_not_received(buyer):
    order = lost_parcel_order(buyer)
    with pytest.raises(actions.DisputeActionError) as error:
        open_dispute(buyer, order, reason="defective")
    assert error.value.code == Code.INVALID_REASON
    with pytest.raises(actions.DisputeActionError) as error:
        open_dispute(
            buyer,
            order,
            reason="not_received",
            refund_request="partial",
            requested_amount=Decimal("5.00"),
        )
    assert error.value.code == Code.INVALID_REQUEST


def test_a_received_order_cannot_be_disputed_as_not_received(buyer):
    with pytest.raises(actions.DisputeActionError) as error:
        open_dispute(buyer, reason="not_received")
    assert error.value.code == Code.INVALID_REASON


@pytest.mark.parametrize(("days", "allowed"), [(0, False), (6, True), (30, True), (31, False)])
def test_a_new_delivery_date_is_at_most_thirty_days_after_the_promised_one(buyer, days, allowed):
    dispute = not_received_dispute(buyer)  # promised 5 days ago
    promised = dispute.order.delivery_by
    extend = functools.partial(
        actions.extend_delivery, dispute=dispute, seller=seller_of(dispute), days=days
    )
    if not allowed:
        assert_refused(Code.INVALID_EXTENSION, extend, dispute)
        return
    extended = extend()
    assert extended.delivery_extended_to == promised + timedelta(days=days)


def test_a_new_delivery_date_already_passed_is_refused(buyer):
    dispute = not_received_dispute(buyer)  # promised 5 days ago
    assert_refused(
        Code.INVALID_EXTENSION,
        lambda: actions.extend_delivery(dispute=dispute, seller=seller_of(dispute), days=5),
        dispute,
    )


def test_the_promised_date_is_moved_once(buyer):
    dispute = extended_dispute(buyer)
    dispute = actions.accept_extension(dispute=dispute, buyer=buyer)
    later = dispute.delivery_extended_to + timedelta(seconds=1)
    reopened = actions.reopen_dispute(
        dispute=dispute,
        buyer=buyer,
        now=later,
        reason="not_received",
        refund_request="full",
        description=DESCRIPTION,
    )
    assert reopened.stage == Stage.NOT_RECEIVED_WAITING_FOR_SELLER
    assert_refused(
        Code.ALREADY_EXTENDED,
        lambda: actions.extend_delivery(
            dispute=reopened, seller=seller_of(reopened), days=10, now=later
        ),
        reopened,
    )


def test_reopening_before_the_new_date_is_refused_with_that_date(buyer):
    dispute = actions.accept_extension(dispute=extended_dispute(buyer), buyer=buyer)
    with pytest.raises(actions.DisputeActionError) as error:
        actions.reopen_dispute(
            dispute=dispute,
            buyer=buyer,
            reason="not_received",
            refund_request="full",
            description=DESCRIPTION,
        )
    (reason,) = error.value.eligibility.reasons
    assert (reason.code, reason.delivery_by) == ("in_transit", dispute.delivery_extended_to)
