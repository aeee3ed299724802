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
RETURN_ADDRESS = "Shenzhen Gadget Store returns\n12 rue des Retours\n69007 Lyon\nFrance"
CARRIER = "La Poste"
TRACKING_NUMBER = "6A12345678901"


def disputable_order(buyer, **fields):
    """An order received three days ago, shipped twelve days ago: a dispute is possible."""
    now = timezone.now()
    dates = {"shipped_at": now - timedelta(days=12), "received_at": now - timedelta(days=3)}
    return make_order(buyer, **(dates | fields))


def make_seller_account(username="szgadget", name="Shenzhen Gadget Store (account)"):
    """A seller who signs in and answers its disputes."""
    user = make_user(username)
    defaults = {"user": user, "return_address": RETURN_ADDRESS}
    return Seller.objects.get_or_create(name=name, defaults=defaults)[0]


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
        reason="evidence_shows_defect",
        dispute=open_dispute(buyer),
        mediator=make_mediator(),
        outcome=outcome,
        refund_amount=refund_amount,
        note="The photos do not show the fault described.",
    )


# A parcel that never arrived (PRODUCT.md §2a).
NOT_RECEIVED = "The parcel never arrived; the tracking page has shown no news for weeks."


def lost_parcel_order(buyer, at=None, seller=None):
    """An order shipped 70 days before ``at`` (now), still in transit, whose delivery was
    promised 5 days before it: a dispute for an item not received is possible."""
    at = at or timezone.now()
    return make_order(
        buyer,
        seller=seller or make_seller_account(),
        shipped_at=at - timedelta(days=70),
        delivery_by=at - timedelta(days=5),
    )


def not_received_dispute(buyer, at=None, seller=None):
    """An "Item not received" waiting for a seller with an account, opened at ``at``."""
    at = at or timezone.now()
    return open_dispute(
        buyer,
        lost_parcel_order(buyer, at, seller),
        reason=DisputeReason.NOT_RECEIVED,
        description=NOT_RECEIVED,
        now=at,
    )


def extended_dispute(buyer, at=None, days=20):
    """A new delivery date, ``days`` after the one promised, waiting for the buyer."""
    at = at or timezone.now()
    dispute = not_received_dispute(buyer, at)
    return actions.extend_delivery(dispute=dispute, seller=seller_of(dispute), days=days, now=at)


def parcel_arrived_dispute(buyer):
    """An "Item not received" whose parcel the buyer then confirmed as received."""
    from orders.receipts import confirm_receipt

    dispute = not_received_dispute(buyer)
    confirm_receipt(order=dispute.order, buyer=buyer)
    dispute.refresh_from_db()
    return dispute


def appealed_dispute(buyer):
    dispute = decided_dispute(buyer)
    actions.send_appeal(dispute=dispute, appellant=buyer, message="The seller never answered me.")
    return dispute


# Returning the item before the refund (PRODUCT.md §4e).


def return_to_ship_dispute(buyer, *, opened=None, **answers):
    """The seller accepted if the item is returned: the buyer ships it back. ``opened`` in
    the past dates the answer a day after it."""
    if opened is None:
        dispute = answerable_dispute(buyer, **answers)
        return actions.accept_if_returned(dispute=dispute, seller=seller_of(dispute))
    dispute = answerable_dispute_at(buyer, opened)
    return actions.accept_if_returned(
        dispute=dispute, seller=seller_of(dispute), now=opened + timedelta(days=1)
    )


def return_decided_dispute(buyer):
    """A mediator decided a refund after return: the buyer ships the item back."""
    return actions.decide_refund_after_return(
        reason="partly_justified",
        dispute=refused_dispute(buyer),
        mediator=make_mediator(),
        note="The photos show the fault: send the cable back for a full refund.",
    )


def return_on_its_way_dispute(buyer, *, opened=None):
    """The buyer shipped the return: the seller confirms it arrived or reports a problem.
    ``opened`` in the past dates the shipment four days after it."""
    dispute = return_to_ship_dispute(buyer, opened=opened)
    shipped = opened + timedelta(days=4) if opened else None
    return actions.ship_return(
        dispute=dispute,
        buyer=buyer,
        carrier=CARRIER,
        tracking_number=TRACKING_NUMBER,
        now=shipped,
    )
