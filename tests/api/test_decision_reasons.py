"""The decision's reason in the API's dispute, in its events and in the webhooks."""

import json

import pytest

from api.models import WebhookDelivery
from disputes import actions
from tests.disputes.builders import appealed_dispute, decided_dispute, make_mediator

pytestmark = pytest.mark.django_db


def test_the_dispute_and_its_decided_event_carry_the_reason(api, buyer):
    dispute = decided_dispute(buyer)

    data = api.get(f"/disputes/{dispute.pk}/").json()

    assert data["outcome"]["decision_reason"] == "evidence_shows_defect"
    (decided,) = [event for event in data["events"] if event["kind"] == "decided"]
    assert decided["details"]["decision_reason"] == "evidence_shows_defect"


def test_the_decision_webhook_carries_the_reason(marketplace, buyer):
    decided_dispute(buyer)

    body = json.loads(WebhookDelivery.objects.get(kind="dispute.decided").body)

    assert body["data"]["dispute"]["outcome"]["decision_reason"] == "evidence_shows_defect"
    assert body["data"]["event"]["details"]["decision_reason"] == "evidence_shows_defect"


def test_the_appeal_answer_webhook_carries_its_reason(marketplace, buyer):
    appeal = appealed_dispute(buyer).appeal
    actions.answer_appeal(
        appeal=appeal, mediator=make_mediator(), answer="Seen.", reason="no_return_received"
    )

    body = json.loads(WebhookDelivery.objects.get(kind="dispute.appeal_answered").body)

    assert body["data"]["dispute"]["appeal"]["answer_reason"] == "no_return_received"
    assert body["data"]["event"]["details"]["decision_reason"] == "no_return_received"


def test_the_dispute_names_its_assignee(api, buyer):
    dispute = decided_dispute(buyer)
    assert api.get(f"/disputes/{dispute.pk}/").json()["assigned_to"] is None
    mediator = make_mediator()

    actions.assign_dispute(dispute=dispute, mediator=mediator, assignee=mediator)

    assert api.get(f"/disputes/{dispute.pk}/").json()["assigned_to"] == "mediator"
