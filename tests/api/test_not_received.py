"""A parcel that never arrived, as the marketplace sees it (PRODUCT.md §2a, §10): the
delivery date it promises in, and the seller's answers out, with carrier and tracking."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from api.models import WebhookDelivery
from disputes import actions
from orders.models import Order
from tests.api.conftest import error_of
from tests.disputes.builders import STATEMENT, extended_dispute, not_received_dispute, seller_of
from tests.factories import make_order

pytestmark = pytest.mark.django_db


def subscribe(client, *webhook_types):
    client.webhook_types = list(webhook_types)
    client.save(update_fields=["webhook_types"])


def record(**fields):
    return {
        "number": "8030112233445566",
        "buyer": {"username": "alice", "email": "alice@example.com"},
        "seller": "Shenzhen Gadget Store",
        "item": "USB-C cable, 2 m, braided",
        "price": "12.99",
        "currency": "EUR",
        "placed_at": "2026-10-01T09:30:00Z",
        "shipped_at": "2026-10-03T14:00:00Z",
        **fields,
    }


def test_an_order_comes_in_with_its_promised_delivery_date_and_goes_out_with_it(api):
    response = api.post("/orders/", {"orders": [record(delivery_by="2026-12-02T23:59:59Z")]})
    assert response.status_code == 200, response.content
    order = Order.objects.get()
    assert order.delivery_by.isoformat() == "2026-12-02T23:59:59+00:00"
    assert api.get(f"/orders/{order.number}/").json()["delivery_by"] == "2026-12-02T23:59:59Z"


def test_a_promised_date_before_the_order_was_placed_is_refused_with_its_field(api):
    response = api.post("/orders/", {"orders": [record(delivery_by="2026-09-01T00:00:00Z")]})
    assert response.status_code == 400
    assert error_of(response)[1] == [(0, "delivery_by")]


def test_patching_the_shipment_keeps_the_promised_date_and_patching_it_moves_it(api, buyer):
    now = timezone.now()
    order = make_order(buyer, shipped_at=now - timedelta(days=3), delivery_by=now)
    api.patch(f"/orders/{order.number}/", {"received_at": None})
    order.refresh_from_db()
    assert order.delivery_by == now
    later = (now + timedelta(days=5)).isoformat()
    assert api.patch(f"/orders/{order.number}/", {"delivery_by": later}).status_code == 200
    order.refresh_from_db()
    assert order.delivery_by == now + timedelta(days=5)


def test_proof_of_delivery_is_a_webhook_with_the_carrier_and_the_tracking_number(
    marketplace, buyer
):
    subscribe(marketplace, "dispute.delivery_proved")
    dispute = not_received_dispute(buyer)
    actions.refuse_with_proof_of_delivery(
        dispute=dispute,
        seller=seller_of(dispute),
        carrier="La Poste",
        tracking_number="6A12345678901",
        statement=STATEMENT,
    )
    delivery = WebhookDelivery.objects.get()
    body = json.loads(delivery.body)
    assert body["type"] == "dispute.delivery_proved"
    assert body["data"]["event"]["details"] == {
        "carrier": "La Poste",
        "tracking_number": "6A12345678901",
    }
    assert body["data"]["dispute"]["delivery"]["tracking_number"] == "6A12345678901"
    assert body["data"]["dispute"]["escalation"]["reason"] == "seller_proved_delivery"


def test_a_new_delivery_date_and_its_acceptance_are_webhooks_with_the_date(marketplace, buyer):
    subscribe(marketplace, "dispute.delivery_extended", "dispute.extension_accepted")
    dispute = extended_dispute(buyer)
    actions.accept_extension(dispute=dispute, buyer=buyer)
    bodies = [json.loads(d.body) for d in WebhookDelivery.objects.order_by("pk")]
    assert [body["type"] for body in bodies] == [
        "dispute.delivery_extended",
        "dispute.extension_accepted",
    ]
    new_date = dispute.delivery_extended_to.isoformat()
    assert [body["data"]["event"]["details"]["delivery_by"] for body in bodies] == [new_date] * 2
    assert bodies[1]["data"]["dispute"]["status"] == "cancelled"


def test_the_events_feed_names_the_reason_and_the_proof(api, buyer):
    dispute = not_received_dispute(buyer)
    actions.refuse_with_proof_of_delivery(
        dispute=dispute,
        seller=seller_of(dispute),
        carrier="DHL",
        tracking_number="JD0146000",
        statement=STATEMENT,
    )
    events = api.get("/events/").json()["results"]
    assert [event["kind"] for event in events] == ["opened", "delivery_proved", "escalated"]
    assert events[0]["details"]["reason"] == "not_received"
    assert events[1]["details"] == {"carrier": "DHL", "tracking_number": "JD0146000"}
    detail = api.get(f"/disputes/{dispute.pk}/").json()
    assert detail["delivery"]["carrier"] == "DHL"
