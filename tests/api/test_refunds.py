"""Refunds out and reports in: the instructions from a cursor, the marketplace's executed and
failed reports, once each, and the ``refund.instructed`` webhook."""

import json
import uuid

import pytest

from api.models import WebhookDelivery
from disputes import actions, refunds
from disputes.models import EventKind, Outcome, RefundInstruction
from tests.api.conftest import error_of
from tests.disputes.builders import agreed_dispute, decided_dispute
from tests.factories import make_mediator

pytestmark = pytest.mark.django_db

SENT_AT = "2025-12-09T10:15:00Z"


def refund_of(dispute):
    return RefundInstruction.objects.get(dispute=dispute)


def executed(api, refund, reference="TX-1", executed_at=SENT_AT):
    body = {"reference": reference, "executed_at": executed_at}
    return api.post(f"/refunds/{refund.public_id}/executed/", body)


def failed(api, refund, reason="Card expired"):
    return api.post(f"/refunds/{refund.public_id}/failed/", {"reason": reason})


def test_the_refunds_feed_lists_instructions_oldest_first_from_a_cursor(api, buyer):
    first, second = agreed_dispute(buyer), agreed_dispute(buyer)
    page = api.get("/refunds/", limit=1).json()
    assert page["has_more"] is True
    [item] = page["results"]
    refund = refund_of(first)
    assert item == {
        "cursor": str(refund.pk),
        "id": str(refund.public_id),
        "dispute": first.pk,
        "order": first.order.number,
        "amount": "12.99",
        "currency": "EUR",
        "outcome": "full_refund",
        "status": "instructed",
        "instructed_at": item["instructed_at"],
        "replaces": None,
        "reference": None,
        "executed_at": None,
        "failure_reason": None,
        "failed_at": None,
    }
    rest = api.get("/refunds/", after=page["next_cursor"]).json()
    assert [item["dispute"] for item in rest["results"]] == [second.pk]
    assert rest["has_more"] is False


def test_the_refunds_feed_filters_by_status(api, buyer):
    refund = refund_of(agreed_dispute(buyer))
    agreed_dispute(buyer)
    assert failed(api, refund).status_code == 200
    results = api.get("/refunds/", status="failed").json()["results"]
    assert [item["id"] for item in results] == [str(refund.public_id)]
    response = api.get("/refunds/", status="lost")
    assert response.status_code == 400
    assert error_of(response) == ("invalid_request", [(None, "status")])


def test_an_executed_report_answers_the_refund_as_it_now_stands(api, buyer):
    refund = refund_of(agreed_dispute(buyer))
    response = executed(api, refund)
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["reference"], body["executed_at"]) == (
        "executed",
        "TX-1",
        SENT_AT,
    )


def test_the_same_report_twice_answers_as_the_first(api, buyer):
    refund = refund_of(agreed_dispute(buyer))
    first = executed(api, refund)
    again = executed(api, refund, executed_at="2025-12-09T11:00:00+01:00")
    assert again.status_code == 200
    assert again.json() == first.json()
    first_failure = failed(api, refund_of(agreed_dispute(buyer)))
    assert first_failure.status_code == 200


@pytest.mark.parametrize(
    ("contradiction", "code"),
    [
        (
            lambda api, refund: executed(api, refund, reference="TX-2"),
            "refund_executed_with_another_reference",
        ),
        (failed, "refund_already_executed"),
    ],
)
def test_a_contradicting_report_answers_409_with_its_code(api, buyer, contradiction, code):
    refund = refund_of(agreed_dispute(buyer))
    executed(api, refund)
    response = contradiction(api, refund)
    assert response.status_code == 409
    assert error_of(response) == (code, [])
    refund.refresh_from_db()
    assert refund.reference == "TX-1"


def test_a_report_on_a_refund_instructed_again_answers_409(api, buyer):
    refund = refund_of(agreed_dispute(buyer))
    failed(api, refund)
    refunds.instruct_again(refund=refund, mediator=make_mediator())
    response = executed(api, refund)
    assert response.status_code == 409
    assert error_of(response)[0] == "refund_superseded"


def test_an_unknown_refund_answers_404(api, buyer):
    response = api.post(f"/refunds/{uuid.uuid4()}/failed/", {"reason": "Card expired"})
    assert response.status_code == 404
    assert api.post("/refunds/not-an-id/failed/", {"reason": "x"}).status_code == 404


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"reference": "TX-1"}, [(None, "executed_at")]),
        ({"reference": "", "executed_at": SENT_AT}, [(None, "reference")]),
        ({"reference": "TX-1", "executed_at": "yesterday"}, [(None, "executed_at")]),
        ({"reference": "TX-1", "executed_at": SENT_AT, "amount": "1"}, [(None, "amount")]),
    ],
)
def test_an_invalid_executed_report_answers_400_naming_the_field(api, buyer, body, fields):
    refund = refund_of(agreed_dispute(buyer))
    response = api.post(f"/refunds/{refund.public_id}/executed/", body)
    assert response.status_code == 400
    assert error_of(response)[1] == fields


def test_each_report_is_an_event_in_the_feed(api, buyer):
    dispute = agreed_dispute(buyer)
    executed(api, refund_of(dispute))
    events = api.get("/events/").json()["results"]
    report = next(event for event in events if event["kind"] == EventKind.REFUND_EXECUTED)
    assert report["actor"] is None
    assert report["details"] == {
        "refund": str(refund_of(dispute).public_id),
        "amount": "12.99",
        "reference": "TX-1",
        "executed_at": "2025-12-09T10:15:00+00:00",
    }


def test_an_instruction_is_a_refund_instructed_webhook_carrying_the_refund(api, buyer):
    dispute = decided_dispute(buyer, Outcome.FULL_REFUND)
    delivery = WebhookDelivery.objects.get(kind="refund.instructed")
    body = json.loads(delivery.body)
    assert body["data"]["refund"]["id"] == str(refund_of(dispute).public_id)
    assert body["data"]["refund"]["amount"] == "12.99"
    assert body["data"]["dispute"]["outcome"]["outcome"] == "full_refund"


def test_no_report_without_the_token(api, buyer):
    refund = refund_of(agreed_dispute(buyer))
    response = api.post(f"/refunds/{refund.public_id}/failed/", {"reason": "x"}, token="")
    assert response.status_code == 401


def test_an_appeal_that_replaces_the_decision_is_sent_with_the_new_outcome(api, buyer):
    dispute = decided_dispute(buyer)
    appeal = actions.send_appeal(dispute=dispute, appellant=buyer, message="Look again.")
    actions.answer_appeal(
        appeal=appeal,
        mediator=make_mediator(),
        answer="You are right.",
        reason="evidence_shows_defect",
        outcome="full_refund",
    )
    sent = [json.loads(delivery.body) for delivery in WebhookDelivery.objects.order_by("pk")]
    assert [body["type"] for body in sent] == [
        "dispute.decided",
        "dispute.appeal_answered",
        "dispute.decided",
        "refund.instructed",
    ]
    answered = sent[1]["data"]
    assert answered["event"]["details"] == {
        "party": "buyer",
        "ruling": "replaced",
        "decision_reason": "evidence_shows_defect",
        "outcome": "full_refund",
        "refund_amount": None,
    }
    assert answered["dispute"]["outcome"]["outcome"] == "full_refund"
    assert answered["dispute"]["appeals"][0]["ruling"] == "replaced"
    assert answered["dispute"]["appeals"][0]["answer_reason"] == "evidence_shows_defect"
    assert sent[2]["data"]["event"]["details"]["decision_reason"] == "evidence_shows_defect"
    assert sent[3]["data"]["refund"]["amount"] == "12.99"
