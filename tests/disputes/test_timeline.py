"""Every event of a dispute's timeline reads as a sentence, never as its raw details."""

from decimal import Decimal

import pytest

from disputes.models import DisputeEvent, EventKind
from disputes.timeline import SENTENCES, describe, who
from orders.models import Order, Seller


def order():
    return Order(price=Decimal("12.99"), currency="EUR", buyer_id=1, seller=Seller(name="Shop"))


def test_every_kind_of_event_has_a_sentence():
    assert set(SENTENCES) == set(EventKind)


@pytest.mark.parametrize(
    ("kind", "details", "sentence"),
    [
        (
            EventKind.OPENED,
            {
                "reason": "defective",
                "refund_request": "partial",
                "requested_amount": "6.00",
                "evidence": ["crack.jpg", "box.png"],
            },
            "Dispute opened: item defective or damaged; the buyer asks for a partial refund of "
            "6.00 EUR (files: crack.jpg, box.png)",
        ),
        (
            EventKind.REOPENED,
            {
                "reason": "wrong_item",
                "refund_request": "full",
                "requested_amount": None,
                "evidence": [],
            },
            "Dispute reopened: wrong item; the buyer asks for a full refund",
        ),
        (EventKind.OFFER_MADE, {"amount": "5.00"}, "Seller offered a partial refund of 5.00 EUR"),
        (
            EventKind.SELLER_ACCEPTED,
            {"refund_amount": "12.99"},
            "Seller accepted the request: a refund of 12.99 EUR",
        ),
        (
            EventKind.ESCALATED,
            {"reason": "seller_did_not_answer"},
            "Escalated to the mediators: the seller did not answer in time",
        ),
        (
            EventKind.INFORMATION_REQUESTED,
            {"party": "seller"},
            "A mediator asked the seller for information",
        ),
        (
            EventKind.INFORMATION_LAPSED,
            {"party": "buyer"},
            "The buyer did not reply in time: the information request lapsed",
        ),
        (EventKind.MESSAGE, {"message": 3, "evidence": []}, "Wrote in the conversation"),
        (
            EventKind.SELLER_REFUSED,
            {"evidence": ["label.jpg"]},
            "Seller refused the request, with a statement (files: label.jpg)",
        ),
        (
            EventKind.DECIDED,
            {"outcome": "partial_refund", "refund_amount": "6.00"},
            "Decided: a partial refund of 6.00 EUR",
        ),
        (
            EventKind.DECIDED,
            {"outcome": "rejected", "refund_amount": None},
            "Decided: rejected, in the seller's favour",
        ),
        (EventKind.CANCELLED, {}, "Buyer cancelled the dispute"),
    ],
)
def test_event_details_read_as_a_sentence(kind, details, sentence):
    assert describe(DisputeEvent(kind=kind, details=details), order()) == sentence


def test_what_nobody_did_by_hand_was_done_by_the_deadline():
    assert who(None, order()) == "By the deadline"
