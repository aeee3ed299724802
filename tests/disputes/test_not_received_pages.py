"""A parcel that never arrived, through the test client (PRODUCT.md §2a): the order page
before and after the delivery date promised, the wizard offering "Item not received" alone,
the seller's three answers, the buyer's answer to a new date, and a parcel that arrives."""

import html
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from disputes import actions
from disputes.models import Dispute, DisputeStatus, EventKind, Outcome, Stage
from tests.conftest import run_tasks
from tests.disputes.builders import (
    DESCRIPTION,
    NOT_RECEIVED,
    STATEMENT,
    extended_dispute,
    lost_parcel_order,
    make_mediator,
    not_received_dispute,
    parcel_arrived_dispute,
    seller_of,
)
from tests.disputes.test_wizard import Wizard
from tests.factories import make_order

pytestmark = pytest.mark.django_db


def text_of(response):
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def order_page(client, order):
    return text_of(client.get(reverse("orders:detail", args=[order.number])))


def test_an_order_in_transit_names_the_date_a_not_received_dispute_can_be_opened(
    buyer_client, buyer
):
    now = timezone.now()
    order = make_order(buyer, shipped_at=now - timedelta(days=20), delivery_by=now + timedelta(5))
    page = order_page(buyer_client, order)
    assert "The order is still in transit: delivery is promised by" in page
    assert "you can open a dispute for an item not received from" in page
    assert "Confirm receipt" in page
    assert reverse("disputes:open", args=[order.number]) not in page


def test_after_the_promised_date_the_order_page_offers_a_not_received_dispute(buyer_client, buyer):
    page = order_page(buyer_client, lost_parcel_order(buyer))
    assert "has not arrived: you can open a dispute for an item not received" in page
    assert "Open dispute" in page


def test_the_wizard_offers_item_not_received_alone_and_asks_no_refund(buyer_client, buyer):
    order = lost_parcel_order(buyer)
    wizard = Wizard(
        buyer_client, reverse("disputes:open", args=[order.number]), f"dispute_wizard_{order.pk}"
    )
    first = text_of(wizard.start())
    assert "Step 1 of 3" in first
    assert 'value="not_received"' in first
    assert 'value="defective"' not in first
    assert "Step 2 of 3" in text_of(wizard.post("reason", {"reason": "not_received"}))
    review = text_of(wizard.post("details", {"description": NOT_RECEIVED}))
    assert "Full refund: €12.99" in review
    assert wizard.post("review").status_code == 302
    dispute = Dispute.objects.get(order=order)
    assert (dispute.reason, dispute.refund_request) == ("not_received", "full")
    assert dispute.stage == Stage.NOT_RECEIVED_WAITING_FOR_SELLER


def test_a_received_item_reason_is_refused_for_a_parcel_not_received(buyer_client, buyer):
    order = lost_parcel_order(buyer)
    wizard = Wizard(
        buyer_client, reverse("disputes:open", args=[order.number]), f"dispute_wizard_{order.pk}"
    )
    wizard.start()
    page = text_of(wizard.post("reason", {"reason": "defective"}))
    assert "Step 1 of 3" in page
    assert not Dispute.objects.exists()


def seller_page(log_in, dispute):
    client = log_in(seller_of(dispute))
    return client, text_of(client.get(reverse("disputes:seller_detail", args=[dispute.pk])))


def test_the_seller_is_offered_refund_new_date_and_proof_of_delivery(log_in, buyer):
    dispute = not_received_dispute(buyer)
    client, page = seller_page(log_in, dispute)
    assert "The buyer says the parcel has not arrived" in page
    assert "Yes, refund €12.99" in page
    assert "Ask the buyer to wait" in page
    assert "Refuse with proof of delivery" in page
    assert "Offer this refund" not in page
    response = client.post(reverse("disputes:seller_accept", args=[dispute.pk]))
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert (dispute.status, dispute.outcome) == (DisputeStatus.AGREED, Outcome.FULL_REFUND)


def test_the_seller_refuses_with_proof_of_delivery_and_the_mediators_have_it(log_in, buyer):
    dispute = not_received_dispute(buyer)
    client = log_in(seller_of(dispute))
    url = reverse("disputes:seller_refuse", args=[dispute.pk])
    assert "Tracking number" in text_of(client.get(url))
    missing = text_of(client.post(url, {"carrier": "La Poste", "statement": STATEMENT}))
    assert "This field is required." in missing
    response = client.post(
        url, {"carrier": "La Poste", "tracking_number": "6A123456", "statement": STATEMENT}
    )
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.stage == Stage.WITH_MEDIATOR
    buyer_page = text_of(log_in(buyer).get(dispute.get_absolute_url()))
    assert "carrier La Poste, tracking number 6A123456" in buyer_page
    assert "La Poste, tracking number 6A123456</span>" in buyer_page  # the timeline


def test_a_new_date_waits_for_the_buyer_who_accepts_it_and_is_told_when_to_reopen(log_in, buyer):
    dispute = not_received_dispute(buyer)
    seller = log_in(seller_of(dispute))
    too_many = seller.post(reverse("disputes:seller_extend", args=[dispute.pk]), {"days": 31})
    assert "Ensure this value is less than or equal to 30." in text_of(too_many)
    seller.post(reverse("disputes:seller_extend", args=[dispute.pk]), {"days": 20})
    dispute.refresh_from_db()
    assert dispute.stage == Stage.EXTENSION_WAITING_FOR_BUYER
    client = log_in(buyer)
    page = text_of(client.get(dispute.get_absolute_url()))
    assert "The seller asks you to wait for the parcel until" in page
    assert "accept the seller's new delivery date or ask for mediation" in page
    client.post(reverse("disputes:accept_extension", args=[dispute.pk]))
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.CANCELLED
    page = text_of(client.get(dispute.get_absolute_url()))
    assert "You: wait for the parcel until" in page
    assert "you can reopen this dispute from that date" in page
    assert reverse("disputes:reopen", args=[dispute.pk]) not in page


def test_the_buyer_refuses_a_new_date_and_the_mediators_have_it(log_in, buyer):
    dispute = extended_dispute(buyer)
    log_in(buyer).post(reverse("disputes:refuse_extension", args=[dispute.pk]))
    dispute.refresh_from_db()
    assert dispute.stage == Stage.WITH_MEDIATOR
    assert dispute.escalation_reason == "buyer_refused_extension"


def test_after_the_new_date_the_cancelled_dispute_can_be_reopened(log_in, buyer):
    # Promised 20 days ago; the seller asked, 15 days ago, for 10 more days.
    dispute = extended_dispute(buyer, at=timezone.now() - timedelta(days=15), days=10)
    actions.accept_extension(dispute=dispute, buyer=buyer, now=timezone.now() - timedelta(days=14))
    page = order_page(log_in(buyer), dispute.order)
    assert "You cancelled your dispute on" in page
    assert reverse("disputes:reopen", args=[dispute.pk]) in page


def test_a_parcel_in_transit_with_a_dispute_can_still_be_confirmed_received(log_in, buyer):
    dispute = not_received_dispute(buyer)
    client = log_in(buyer)
    assert "Has the parcel arrived?" in text_of(client.get(dispute.get_absolute_url()))
    assert "Confirm receipt" in order_page(client, dispute.order)
    client.post(reverse("orders:confirm_receipt", args=[dispute.order.number]))
    dispute.order.refresh_from_db()
    assert dispute.order.received_at is not None
    assert "The parcel arrived: keep the dispute" in order_page(client, dispute.order)


def test_the_parcel_arrived_and_the_buyer_keeps_the_dispute_with_another_reason(log_in, buyer):
    dispute = parcel_arrived_dispute(buyer)
    client = log_in(buyer)
    page = text_of(client.get(dispute.get_absolute_url()))
    assert "The parcel arrived" in page
    assert "Keep the dispute with this reason" in page
    url = reverse("disputes:keep_with_another_reason", args=[dispute.pk])
    too_short = text_of(client.post(url, {"reason": "defective", "description": "Broken."}))
    assert "at least 30 characters" in too_short
    client.post(url, {"reason": "defective", "description": DESCRIPTION})
    dispute.refresh_from_db()
    assert (dispute.reason, dispute.stage) == ("defective", Stage.WAITING_FOR_SELLER)
    event = dispute.events.get(kind=EventKind.REASON_CHANGED)
    assert event.details == {"reason": "defective", "previous_reason": "not_received"}
    timeline = text_of(client.get(dispute.get_absolute_url()))
    assert "Buyer kept the dispute with another reason" in timeline
    assert "Item defective or damaged</span>" in timeline


def test_after_the_window_the_page_says_what_the_buyer_can_still_do(buyer_client, buyer):
    long_ago = timezone.now() - timedelta(days=16)
    page = order_page(buyer_client, lost_parcel_order(buyer, at=long_ago))
    assert "within 15 days of the delivery date promised" in page
    assert "contact the seller through the marketplace, or contact customer service" in page
    assert "legal guarantee of conformity may still apply" in page


def test_the_closed_window_is_told_in_french_too(client, buyer):
    client.force_login(buyer)
    client.cookies["django_language"] = "fr"
    received = make_order(
        buyer,
        shipped_at=timezone.now() - timedelta(days=40),
        received_at=timezone.now() - timedelta(days=30),
    )
    page = order_page(client, received)
    assert "contacter le vendeur via la place de marché" in page
    assert "garantie légale de conformité" in page


def test_the_mediators_queue_filters_the_new_stages(client, buyer):
    not_received = not_received_dispute(buyer)
    client.force_login(make_mediator())
    url = reverse("admin:disputes_dispute_changelist")
    page = text_of(client.get(url, {"status": "all", "stage": "not_received_waiting_for_seller"}))
    assert not_received.order.number in page
    assert "New delivery date waiting for the buyer" in page  # the filter's other choice


def test_the_mediators_read_the_proof_of_delivery_on_the_disputes_page(client, buyer):
    dispute = not_received_dispute(buyer)
    actions.refuse_with_proof_of_delivery(
        dispute=dispute,
        seller=seller_of(dispute),
        carrier="Colissimo",
        tracking_number="6A98765",
        statement=STATEMENT,
    )
    client.force_login(make_mediator())
    page = text_of(client.get(reverse("admin:disputes_dispute_change", args=[dispute.pk])))
    assert "Colissimo" in page
    assert "6A98765" in page
    assert "The seller says the parcel was delivered" in page


def test_the_buyer_is_emailed_the_carrier_and_the_tracking_number(buyer):
    dispute = not_received_dispute(buyer)
    run_tasks()
    mail.outbox.clear()
    actions.refuse_with_proof_of_delivery(
        dispute=dispute,
        seller=seller_of(dispute),
        carrier="DHL",
        tracking_number="JD014600",
        statement=STATEMENT,
    )
    run_tasks()
    bodies = [email.body for email in mail.outbox if email.to == [buyer.email]]
    assert any("carrier DHL, tracking number JD014600" in body for body in bodies)


def test_a_seller_cannot_ask_to_wait_for_a_parcel_the_buyer_received(log_in, buyer):
    dispute = parcel_arrived_dispute(buyer)
    _client, page = seller_page(log_in, dispute)
    assert "there is nothing to wait for" in page
    assert "Ask the buyer to wait" not in page


def test_the_admin_shows_an_orders_promised_delivery_date(client, buyer):
    order = lost_parcel_order(buyer)
    client.force_login(make_mediator())
    page = text_of(client.get(reverse("admin:orders_order_change", args=[order.pk])))
    assert "Delivery promised by" in page
