"""The OpenAPI description's ``webhooks`` are true: the bodies we queue match them."""

import json

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from jsonschema import Draft202012Validator

from api.models import WebhookDelivery
from disputes import actions
from orders.receipts import confirm_receipt
from tests.disputes.builders import appealed_dispute, decided_dispute, make_mediator
from tests.factories import make_order

pytestmark = pytest.mark.django_db


def validator(schema, webhook):
    """A validator of ``webhook``'s request body, its ``$ref`` resolved in ``schema``."""
    body = schema["webhooks"][webhook]["post"]["requestBody"]["content"]["application/json"]
    return Draft202012Validator({"components": schema["components"], **body["schema"]})


def test_the_bodies_we_send_match_the_webhooks_described(marketplace, buyer):

    marketplace.webhook_types = ["dispute.opened", "dispute.decided", "order.receipt_confirmed"]
    marketplace.save()
    decided_dispute(buyer)
    appeal = appealed_dispute(buyer).appeal
    actions.answer_appeal(
        reason="item_as_described", appeal=appeal, mediator=make_mediator(), answer="Looked again."
    )
    confirm_receipt(order=make_order(buyer, shipped_at=timezone.now()), buyer=buyer)

    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert schema["openapi"].startswith("3.1")
    checks = {
        "dispute event": validator(schema, "dispute event"),
        "order.receipt_confirmed": validator(schema, "order.receipt_confirmed"),
    }
    kinds = set()
    for delivery in WebhookDelivery.objects.all():
        body = json.loads(delivery.body)
        name = "order.receipt_confirmed" if delivery.kind.startswith("order.") else "dispute event"
        checks[name].validate(body)
        assert body["created_at"].endswith("Z")
        kinds.add(delivery.kind)
    assert kinds == {"dispute.opened", "dispute.decided", "order.receipt_confirmed"}
