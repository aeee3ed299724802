"""Every refusal on the order page ends in something the buyer can do in the app, linked,
or says plainly that there is nothing to do and what will happen: never a dead end."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from disputes.eligibility import ReasonCode
from disputes.models import Dispute, Outcome
from orders.models import Order
from tests.disputes.builders import (
    agreed_dispute,
    appealed_dispute,
    cancelled_dispute,
    decided_dispute,
    open_dispute,
)
from tests.factories import make_order

pytestmark = pytest.mark.django_db


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def order_page(client, order):
    return client.get(reverse("orders:detail", args=[order.number])).content.decode()


def reason_html(content, code):
    if code == ReasonCode.DISPUTE_OPEN:
        # Not a refusal among others: the open dispute takes the panel's place.
        found = re.search(r'<div class="open-dispute">(.*?)</div>', content, re.S)
        assert found, "no open dispute on the page"
        return found.group(1)
    found = re.search(rf'<li class="reason reason--{code}">(.*?)</li>', content, re.S)
    assert found, f"no {code} reason on the page"
    return found.group(1)


def window_closed(order):
    """``order`` with its dispute window closed five days ago."""
    Order.objects.filter(pk=order.pk).update(
        placed_at=days_ago(41), shipped_at=days_ago(40), received_at=days_ago(20)
    )
    return order


def confirm_url(order):
    return reverse("orders:confirm_receipt", args=[order.number])


def dispute_of(order):
    return Dispute.objects.get(order=order)


# code: (the order in that situation, what the reason must offer or say)
SITUATIONS = {
    ReasonCode.NOT_SHIPPED: (
        lambda buyer: make_order(buyer),
        lambda order: (
            "There is nothing to do yet: when the seller confirms shipment, this page "
            "shows the date from which you can open a dispute."
        ),
    ),
    ReasonCode.TOO_EARLY: (
        lambda buyer: make_order(buyer, shipped_at=days_ago(3), received_at=days_ago(1)),
        lambda order: "From that date you can open a dispute here, until",
    ),
    ReasonCode.IN_TRANSIT: (
        lambda buyer: make_order(buyer, shipped_at=days_ago(12)),
        lambda order: f'action="{confirm_url(order)}"',
    ),
    ReasonCode.WINDOW_CLOSED: (
        lambda buyer: make_order(buyer, shipped_at=days_ago(40), received_at=days_ago(25)),
        lambda order: "Nothing more can be done for this order in the app.",
    ),
    ReasonCode.DISPUTE_OPEN: (
        lambda buyer: open_dispute(buyer).order,
        lambda order: f'href="{dispute_of(order).get_absolute_url()}"',
    ),
    ReasonCode.ALREADY_DECIDED: (
        lambda buyer: decided_dispute(buyer).order,
        lambda order: f'href="{reverse("disputes:appeal", args=[dispute_of(order).pk])}"',
    ),
    ReasonCode.ALREADY_AGREED: (
        lambda buyer: agreed_dispute(buyer).order,
        lambda order: f'href="{dispute_of(order).get_absolute_url()}"',
    ),
}
DEAD_ENDS = ("contact the seller", "seller directly", "tracking")


def test_every_reason_has_its_situation():
    codes = {value for name, value in vars(ReasonCode).items() if name.isupper()}
    assert set(SITUATIONS) == codes


@pytest.mark.parametrize("code", list(SITUATIONS))
def test_each_reason_offers_what_the_app_can_do_or_says_what_will_happen(buyer_client, buyer, code):
    make, expected = SITUATIONS[code]
    order = make(buyer)
    reason = reason_html(order_page(buyer_client, order), code)
    assert expected(order) in reason
    # Once the window has closed, the recourse left outside the app is named too (issue 28),
    # after what the app says: that paragraph alone may send the buyer to the seller.
    reason = re.sub(r'<p class="still-possible">.*?</p>', "", reason, flags=re.S)
    for dead_end in DEAD_ENDS:
        assert dead_end not in reason.lower()


def test_in_transit_no_longer_sends_the_buyer_to_the_tracking(buyer_client, buyer):
    reason = reason_html(
        order_page(buyer_client, make_order(buyer, shipped_at=days_ago(3))), "in_transit"
    )
    assert "If it has arrived, confirm receipt" in reason
    assert "you can open a dispute for an item not received from" in reason


def test_too_early_in_transit_says_open_dispute_comes_once_received(buyer_client, buyer):
    content = order_page(buyer_client, make_order(buyer, shipped_at=days_ago(3)))
    reason = reason_html(content, "too_early")
    assert "From that date you can open a dispute here, once you have received the order." in (
        reason
    )


def test_window_closed_links_the_cancelled_dispute(buyer_client, buyer):
    dispute = cancelled_dispute(buyer)
    reason = reason_html(order_page(buyer_client, window_closed(dispute.order)), "window_closed")
    assert "You cancelled your dispute on this order, and it can no longer be reopened." in reason
    assert f'href="{dispute.get_absolute_url()}"' in reason


def test_the_cancelled_disputes_own_page_does_not_link_to_itself(buyer_client, buyer):
    dispute = cancelled_dispute(buyer)
    window_closed(dispute.order)
    content = buyer_client.get(dispute.get_absolute_url()).content.decode()
    reason = reason_html(content, "window_closed")
    assert "Nothing more can be done for this order in the app." in reason
    assert "href" not in reason


def test_window_closed_with_an_open_dispute_shows_the_dispute_going_on(buyer_client, buyer):
    dispute = open_dispute(buyer)
    content = order_page(buyer_client, window_closed(dispute.order))
    assert f'href="{dispute.get_absolute_url()}"' in reason_html(content, "dispute_open")
    assert 'class="reasons"' not in content


def test_an_appealed_decision_no_longer_offers_to_appeal(buyer_client, buyer):
    dispute = appealed_dispute(buyer)
    reason = reason_html(order_page(buyer_client, dispute.order), "already_decided")
    assert reverse("disputes:appeal", args=[dispute.pk]) not in reason
    assert "You have appealed to customer service: their answer will be on the dispute's page." in (
        reason
    )
    assert f'href="{dispute.get_absolute_url()}"' in reason


def test_a_decision_for_the_buyer_offers_no_appeal(buyer_client, buyer):
    dispute = decided_dispute(buyer, outcome=Outcome.FULL_REFUND)
    reason = reason_html(order_page(buyer_client, dispute.order), "already_decided")
    assert "appeal" not in reason


@pytest.mark.parametrize(
    ("outcome", "refund_amount", "shown"),
    [
        (Outcome.PARTIAL_REFUND, Decimal("5.50"), "Partial refund of €5.50."),
        (Outcome.FULL_REFUND, None, "Full refund of €12.99."),
        (Outcome.REJECTED, None, "Rejected, in the seller&#x27;s favour."),
    ],
)
def test_a_decision_shows_the_amount_refunded(buyer_client, buyer, outcome, refund_amount, shown):
    dispute = decided_dispute(buyer, outcome=outcome, refund_amount=refund_amount)
    reason = reason_html(order_page(buyer_client, dispute.order), "already_decided")
    assert shown in reason
