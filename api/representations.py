"""What the API and its webhooks say about orders, disputes and events: plain data, built
once here, which ``serializers`` turn into JSON and describe in the OpenAPI schema.

People's free text (descriptions, statements, messages, notes) and evidence file names
stay in the dispute centre: the marketplace gets what it needs to act (the stage, who acts
by when, amounts, outcomes), not the parties' conversation.
"""

from datetime import datetime
from typing import Any

from django.db.models import F, QuerySet

from disputes import deadlines
from disputes.models import DisputeEvent, DisputeReason, DisputeStatus, EventKind
from disputes.parties import party_among
from orders.models import OrderEvent
from orders.money import in_minor_units

from . import serializers

# The event details (``disputes.events``) the marketplace gets; never file names or pks.
PUBLIC_DETAILS = (
    "reason",
    "refund_request",
    "requested_amount",
    "refund_amount",
    # A parcel that never arrived (PRODUCT.md §2a).
    "carrier",
    "tracking_number",
    "delivery_by",
    "previous_reason",
    "amount",
    "outcome",
    "party",
    "refund",
    "replaces",
    "reference",
    "executed_at",
    "failure_reason",
    "ruling",
    "postage_paid_by",
    "carrier",
    "tracking_number",
    "decision_reason",
)
MEDIATOR = deadlines.MEDIATOR
# What ``dispute_data`` reads, to select with the dispute.
DISPUTE_RELATIONS = ("order__buyer", "order__seller", "assigned_to")
# What ``dispute_data`` reads, to prefetch with the dispute.
DISPUTE_PREFETCH = ("appeals",)


def dispute_events(events: QuerySet[DisputeEvent]) -> QuerySet[DisputeEvent]:
    """``events`` with what ``event_data`` reads of their order, as columns of each event's
    row (``order_parties``): one instance an event, not four with its dispute, order and
    seller (the events feed reads up to 500 a page: the four took half its time)."""
    return order_parties(events, "dispute__order")


def order_events(events: QuerySet[OrderEvent]) -> QuerySet[OrderEvent]:
    """``events`` with what ``order_event_data`` reads of their order."""
    return order_parties(events, "order")


def order_parties[Events: QuerySet[Any]](events: Events, order: str) -> Events:
    """``events`` with their order's number and parties, ``order`` being the path to it."""
    return events.annotate(
        order_number=F(f"{order}__number"),
        order_buyer_id=F(f"{order}__buyer"),
        order_seller_user_id=F(f"{order}__seller__user"),
    )


def money(amount, order):
    """``amount`` with the decimals of ``order``'s currency; None stays None."""
    return None if amount is None else in_minor_units(amount, order.currency)


def role(user_id, order):
    """What the account ``user_id`` is on ``order``: "buyer", "seller", "mediator", or None
    for what a deadline did by itself. Its id is enough: no account is read for it."""
    return role_among(user_id, buyer_id=order.buyer_id, seller_user_id=order.seller.user_id)


def role_among(user_id, *, buyer_id, seller_user_id):
    """``role`` from the ids of an order's buyer and of its seller's account."""
    if user_id is None:
        return None
    return party_among(user_id, buyer_id=buyer_id, seller_user_id=seller_user_id) or MEDIATOR


def order_data(order):
    seller = order.seller
    return {
        "number": order.number,
        "buyer": {"username": order.buyer.username, "email": order.buyer.email},
        "seller": {
            "name": seller.name,
            "username": seller.user.username if seller.user_id else None,
        },
        "item": order.item,
        "delivery_by": order.delivery_by,
        "description": order.description,
        "price": money(order.price, order),
        "currency": order.currency,
        "placed_at": order.placed_at,
        "shipped_at": order.shipped_at,
        "received_at": order.received_at,
        "receipt_confirmed_at": order.receipt_confirmed_at,
        "status": order.status,
    }


def order_record(order):
    """``order`` as an ``import_orders`` record: the single-order update goes through the
    same validation and upsert as a bulk import, with only its dates replaced."""
    return {
        "number": order.number,
        "buyer": {"username": order.buyer.username, "email": order.buyer.email},
        "seller": order.seller.name,  # a plain name keeps the seller's account
        "item": order.item,
        "description": order.description,
        "price": order.price,
        "currency": order.currency,
        **{
            name: getattr(order, name).isoformat() if getattr(order, name) else None
            for name in ("placed_at", "shipped_at", "received_at", "delivery_by")
        },
    }


def _actor(event):
    """``role`` of an event's actor, from the parties read with it (``order_parties``)."""
    return role_among(
        event.actor_id, buyer_id=event.order_buyer_id, seller_user_id=event.order_seller_user_id
    )


def event_id(event):
    """A dispute event's id, the same in the events feed and in its webhook."""
    return f"dispute-event-{event.pk}"


def order_event_id(event: OrderEvent) -> str:
    """An order event's id (a buyer's receipt confirmation), in the feed and its webhook."""
    return f"order-event-{event.pk}"


def order_event_data(event):
    """An order event (read through ``order_events``) as the events feed shows it, beside
    the dispute events (the feed gives its cursor, a position in both)."""
    received_at = datetime.fromisoformat(event.details["received_at"])
    return {
        "id": order_event_id(event),
        "dispute": None,
        "order": event.order_number,
        "kind": event.kind,
        "created_at": event.created_at,
        "actor": _actor(event),
        "details": {"received_at": serializers.moment(received_at)},
    }


def event_data(event):
    """A dispute event, read through ``dispute_events``."""
    return {
        "cursor": str(event.pk),
        "id": event_id(event),
        "dispute": event.dispute_id,
        "order": event.order_number,
        "kind": event.kind,
        "created_at": event.created_at,
        "actor": _actor(event),
        "details": {key: event.details[key] for key in PUBLIC_DETAILS if key in event.details},
    }


def _appeal(appeal):
    return {
        "party": appeal.party,
        "sent_at": appeal.sent_at,
        "answer_due": appeal.answer_due,
        "answered_at": appeal.answered_at,
        "ruling": appeal.ruling or None,
        "answer_reason": appeal.answer_reason or None,
    }


def _outcome(dispute):
    if dispute.status not in (DisputeStatus.AGREED, DisputeStatus.DECIDED):
        return None
    return {
        "by_agreement": dispute.status == DisputeStatus.AGREED,
        "outcome": dispute.outcome,
        "refund_amount": money(dispute.refunded_amount, dispute.order),
        "decided_at": dispute.decided_at,
        "decided_by": role(dispute.decided_by_id, dispute.order),
        "decision_reason": dispute.decision_reason or None,
    }


def _item_return(dispute):
    """The return the refund waits, or waited, for: who asked, who pays its postage, and
    its tracking once shipped (the address stays in the dispute centre, as free text)."""
    if dispute.return_asked_by_id is None:
        return None
    return {
        "asked_by": MEDIATOR if dispute.return_decided_by_mediator else "seller",
        "postage_paid_by": dispute.return_postage_paid_by,
        "carrier": dispute.return_carrier or None,
        "tracking_number": dispute.return_tracking_number or None,
        "shipped_at": dispute.return_shipped_at,
    }


def _delivery(dispute):
    if dispute.reason != DisputeReason.NOT_RECEIVED:
        return None
    return {
        "carrier": dispute.delivery_carrier,
        "tracking_number": dispute.delivery_tracking_number,
        "extended_to": dispute.delivery_extended_to,
        "extension_accepted_at": dispute.extension_accepted_at,
    }


def dispute_data(dispute, *, events=None, last_event=None):
    """``dispute`` as the API shows it; with ``events`` (its timeline, in order), also the
    offers and information requests they record."""
    order = dispute.order
    step = deadlines.next_step(dispute)
    data = {
        "id": dispute.pk,
        "order": {
            "number": order.number,
            "price": money(order.price, order),
            "currency": order.currency,
        },
        "buyer": order.buyer.username,
        "seller": order.seller.name,
        "status": dispute.status,
        "stage": dispute.stage,
        "reason": dispute.reason,
        "request": {
            "refund_request": dispute.refund_request,
            "requested_amount": money(dispute.requested_amount, order),
        },
        "opened_at": dispute.opened_at,
        "next_step": {"actor": step.actor, "deadline": step.deadline, "enforced": step.enforced},
        "stage_started_at": dispute.stage_started_at,
        "offer_amount": money(dispute.offer_amount, order),
        "information_requested_from": dispute.information_requested_from,
        "escalation": (
            {"escalated_at": dispute.escalated_at, "reason": dispute.escalation_reason}
            if dispute.escalated_at
            else None
        ),
        "cancelled_at": dispute.cancelled_at,
        "outcome": _outcome(dispute),
        # The buyer's, as before appeals were open to the seller too; every one below.
        "appeal": _appeal(dispute.appeal) if dispute.appeal else None,
        "appeals": [_appeal(appeal) for appeal in dispute.appeals.all()],
        "delivery": _delivery(dispute),
        "item_return": _item_return(dispute),
        "assigned_to": dispute.assigned_to.get_username() if dispute.assigned_to_id else None,
    }
    if last_event is not None:
        data["cursor"] = str(last_event)
    if events is not None:
        data["events"] = [event_data(event) for event in events]
        data["offers"] = [
            {"amount": event.details.get("amount"), "made_at": event.created_at}
            for event in events
            if event.kind == EventKind.OFFER_MADE
        ]
        data["information_requests"] = [
            {"party": event.details.get("party"), "requested_at": event.created_at}
            for event in events
            if event.kind == EventKind.INFORMATION_REQUESTED
        ]
    return data


def refund_data(instruction):
    replaces = instruction.replaces
    return {
        "cursor": str(instruction.pk),
        "id": instruction.public_id,
        "dispute": instruction.dispute_id,
        "order": instruction.order.number,
        "amount": in_minor_units(instruction.amount, instruction.currency),
        "currency": instruction.currency,
        "outcome": instruction.outcome,
        "status": instruction.status,
        "instructed_at": instruction.instructed_at,
        "replaces": replaces.public_id if replaces else None,
        "reference": instruction.reference or None,
        "executed_at": instruction.executed_at,
        "failure_reason": instruction.failure_reason or None,
        "failed_at": instruction.failed_at,
    }
