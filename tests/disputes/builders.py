"""Disputes in each state, made through the real actions so their events exist too."""

from datetime import timedelta

from django.utils import timezone

from disputes import actions
from disputes.models import DisputeReason, Outcome, RefundRequest
from tests.factories import make_buyer, make_order

DESCRIPTION = "The cable stopped charging after two days; the connector is loose."


def disputable_order(buyer, **fields):
    """An order received three days ago, shipped twelve days ago: a dispute is possible."""
    now = timezone.now()
    dates = {"shipped_at": now - timedelta(days=12), "received_at": now - timedelta(days=3)}
    return make_order(buyer, **(dates | fields))


def open_dispute(buyer, order=None, **answers):
    answers = {
        "reason": DisputeReason.DEFECTIVE,
        "refund_request": RefundRequest.FULL,
        "description": DESCRIPTION,
        **answers,
    }
    return actions.open_dispute(order=order or disputable_order(buyer), buyer=buyer, **answers)


def make_mediator():
    return make_buyer("mediator", is_staff=True)


def cancelled_dispute(buyer):
    return actions.cancel_dispute(dispute=open_dispute(buyer), buyer=buyer)


def decided_dispute(buyer, outcome=Outcome.REJECTED, refund_amount=None):
    return actions.decide_dispute(
        dispute=open_dispute(buyer),
        mediator=make_mediator(),
        outcome=outcome,
        refund_amount=refund_amount,
        note="The photos do not show the fault described.",
    )


def appealed_dispute(buyer):
    dispute = decided_dispute(buyer)
    actions.send_appeal(dispute=dispute, buyer=buyer, message="The seller never answered me.")
    return dispute
