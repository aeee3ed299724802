"""Disputes in each state, made through the real actions so their events exist too."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from disputes import actions
from disputes.models import DisputeReason, Outcome, Party, RefundRequest
from orders.models import Seller
from tests.factories import make_mediator, make_order, make_user

DESCRIPTION = "The cable stopped charging after two days; the connector is loose."
STATEMENT = "The cable was tested before shipping and the photos show a different cable."
OFFER = Decimal("5.00")


def disputable_order(buyer, **fields):
    """An order received three days ago, shipped twelve days ago: a dispute is possible."""
    now = timezone.now()
    dates = {"shipped_at": now - timedelta(days=12), "received_at": now - timedelta(days=3)}
    return make_order(buyer, **(dates | fields))


def make_seller_account(username="szgadget", name="Shenzhen Gadget Store (account)"):
    """A seller who signs in and answers its disputes."""
    user = make_user(username)
    return Seller.objects.get_or_create(name=name, defaults={"user": user})[0]


def open_dispute(buyer, order=None, **answers):
    """A dispute opened through the wizard's action. On an order of a seller without an
    account (the default) it goes straight to the mediators; see ``answerable_dispute``."""
    answers = {
        "reason": DisputeReason.DEFECTIVE,
        "refund_request": RefundRequest.FULL,
        "description": DESCRIPTION,
        **answers,
    }
    return actions.open_dispute(order=order or disputable_order(buyer), buyer=buyer, **answers)


def answerable_dispute(buyer, seller=None, **answers):
    """A dispute waiting for a seller who has an account."""
    seller = seller or make_seller_account()
    return open_dispute(buyer, disputable_order(buyer, seller=seller), **answers)


def answerable_dispute_at(buyer, opened, seller=None):
    """A dispute waiting for a seller with an account, opened at ``opened`` (a fixed clock,
    or the past) on an order that could be disputed then: the seller has 5 days from it."""
    order = make_order(
        buyer,
        seller=seller or make_seller_account(),
        shipped_at=opened - timedelta(days=12),
        received_at=opened - timedelta(days=3),
    )
    return open_dispute(buyer, order, now=opened)


def seller_of(dispute):
    return dispute.order.seller.user


def offered_dispute(buyer, amount=OFFER):
    dispute = answerable_dispute(buyer)
    return actions.make_offer(dispute=dispute, seller=seller_of(dispute), amount=amount)


def refused_dispute(buyer):
    dispute = answerable_dispute(buyer)
    return actions.refuse_request(dispute=dispute, seller=seller_of(dispute), statement=STATEMENT)


def information_requested_dispute(buyer, party=Party.SELLER):
    dispute = refused_dispute(buyer)
    return actions.request_information(
        dispute=dispute,
        mediator=make_mediator(),
        party=party,
        message="Please send a photo of the cable you shipped.",
    )


def agreed_dispute(buyer):
    dispute = answerable_dispute(buyer)
    return actions.accept_request(dispute=dispute, seller=seller_of(dispute))


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
    actions.send_appeal(dispute=dispute, appellant=buyer, message="The seller never answered me.")
    return dispute
