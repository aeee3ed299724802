"""A return before the refund, as the marketplace hears of it (PRODUCT.md §4e): each step a
webhook, the return's carrier and tracking number in the event and the dispute."""

import json

import pytest

from api import webhook_types
from api.models import WebhookDelivery
from disputes import actions
from tests.disputes.builders import (
    CARRIER,
    TRACKING_NUMBER,
    return_on_its_way_dispute,
    seller_of,
)

pytestmark = pytest.mark.django_db


def test_each_step_of_a_return_is_a_webhook_with_the_tracking(marketplace, buyer):
    marketplace.webhook_types = [
        "dispute.return_asked",
        "dispute.return_shipped",
        *webhook_types.default(),
    ]
    marketplace.save(update_fields=["webhook_types"])
    dispute = return_on_its_way_dispute(buyer)
    actions.confirm_return_arrived(dispute=dispute, seller=seller_of(dispute))

    bodies = [json.loads(d.body) for d in WebhookDelivery.objects.order_by("pk")]

    assert [body["type"] for body in bodies] == [
        "dispute.return_asked",
        "dispute.return_shipped",
        "dispute.return_refunded",
        "refund.instructed",
    ]
    asked, shipped, refunded, instructed = (body["data"] for body in bodies)
    assert instructed["refund"]["amount"] == refunded["dispute"]["outcome"]["refund_amount"]
    assert asked["event"]["details"] == {"postage_paid_by": "seller"}  # not the address
    assert shipped["event"]["details"] == {"carrier": CARRIER, "tracking_number": TRACKING_NUMBER}
    assert shipped["dispute"]["stage"] == "return_on_its_way"
    assert shipped["dispute"]["next_step"]["actor"] == "seller"
    assert refunded["dispute"]["outcome"]["refund_amount"] == "12.99"
    assert refunded["dispute"]["item_return"]["tracking_number"] == TRACKING_NUMBER


def test_the_dispute_says_who_asked_for_the_return_and_its_tracking(api, buyer):
    dispute = return_on_its_way_dispute(buyer)

    data = api.get(f"/disputes/{dispute.pk}/").json()

    assert data["item_return"] == {
        "asked_by": "seller",
        "postage_paid_by": "seller",
        "carrier": CARRIER,
        "tracking_number": TRACKING_NUMBER,
        "shipped_at": data["item_return"]["shipped_at"],
    }
    assert data["item_return"]["shipped_at"]
    assert [event["kind"] for event in data["events"]][-2:] == ["return_asked", "return_shipped"]
