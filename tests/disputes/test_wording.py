"""Words that said something other than what happened (issue 26, item 17)."""

import re
from datetime import timedelta

import pytest

from disputes import actions
from tests.disputes.builders import (
    answerable_dispute,
    appealed_dispute,
    cancelled_dispute,
    make_mediator,
    offered_dispute,
    open_dispute,
    refused_dispute,
    seller_of,
)
from tests.disputes.test_notifications import shown
from tests.disputes.test_reasons import order_page, reason_html

pytestmark = pytest.mark.django_db


def timeline_of(client, url):
    content = client.get(url).content.decode()
    return re.search(r'<ol class="timeline">(.*?)</ol>', content, re.S).group(1)


def line_of(timeline, kind_label):
    return next(
        " ".join(re.sub(r"<[^>]+>", " ", item).split())
        for item in timeline.split("<li>")
        if kind_label in item
    )


def test_an_escalation_nobody_chose_is_automatic_not_by_you(buyer_client, buyer):
    dispute = open_dispute(buyer)  # its seller cannot answer in the app: to the mediators
    line = line_of(timeline_of(buyer_client, dispute.get_absolute_url()), "Escalated")
    assert "automatically" in line
    assert "by you" not in line


def test_the_seller_refusing_escalates_automatically(log_in, buyer):
    dispute = refused_dispute(buyer)
    client = log_in(seller_of(dispute))
    timeline = timeline_of(client, f"/seller/disputes/{dispute.pk}/")
    assert "automatically" in line_of(timeline, "Escalated")
    assert "by you" not in line_of(timeline, "Seller refused")


def test_an_event_named_for_its_actor_does_not_name_them_again(buyer_client, buyer):
    dispute = offered_dispute(buyer)
    line = line_of(timeline_of(buyer_client, dispute.get_absolute_url()), "Seller offered")
    assert "by the seller" not in line
    opened = line_of(timeline_of(buyer_client, dispute.get_absolute_url()), "Dispute opened")
    assert "by you" in opened


def test_a_cancelled_dispute_tells_the_buyer_they_cancelled_it(buyer_client, buyer, settings):
    dispute = cancelled_dispute(buyer)
    settings.DISPUTE_WINDOW_DAYS_AFTER_RECEIPT = 0  # the window closed: no reopening
    content = buyer_client.get(dispute.get_absolute_url()).content.decode()
    assert "Nobody: you cancelled this dispute." in content
    assert "the buyer cancelled" not in content


def test_an_open_dispute_says_what_its_window_date_means(buyer_client, buyer):
    dispute = answerable_dispute(buyer)
    content = buyer_client.get(dispute.get_absolute_url()).content.decode()
    assert "Closes on" not in content
    assert "If you cancel this dispute, you can reopen it until" in content


def test_the_order_page_says_the_appeal_was_answered_once_it_was(buyer_client, buyer):
    dispute = appealed_dispute(buyer)
    actions.answer_appeal(
        appeal=dispute.appeal,
        mediator=make_mediator(),
        answer="Upheld.",
        reason="item_as_described",
    )
    reason = reason_html(order_page(buyer_client, dispute.order), "already_decided")
    assert "Customer service has answered your appeal" in reason
    assert "will be on the dispute's page" not in reason


def test_a_receipt_time_sent_later_is_shown_to_both_parties(log_in, buyer):
    from orders.importing import import_orders

    dispute = answerable_dispute(buyer)
    order = dispute.order
    kept = order.received_at
    import_orders(
        [
            {
                "number": order.number,
                "buyer": {"username": buyer.username, "email": buyer.email},
                "seller": order.seller.name,
                "item": order.item,
                "price": str(order.price),
                "currency": order.currency,
                "placed_at": order.placed_at.isoformat(),
                "shipped_at": order.shipped_at.isoformat(),
                "received_at": (kept + timedelta(days=2)).isoformat(),
            }
        ]
    )
    for client, url in (
        (log_in(buyer), dispute.get_absolute_url()),
        (log_in(seller_of(dispute)), f"/seller/disputes/{dispute.pk}/"),
    ):
        content = client.get(url).content.decode()
        assert "The marketplace reported the parcel received on" in content
        assert f"still runs from the receipt recorded before, {shown(kept, 'en')}" in content
