# ruff: noqa: RUF001 -- French text uses the typographic apostrophe, as the translation does.
"""Every decision and every answer to an appeal carries one reason from a fixed list, which
both parties read in their own language."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from disputes import actions
from disputes.errors import DisputeActionError, DisputeErrorCode
from disputes.models import DecisionReason, EventKind, Outcome
from tests.conftest import run_tasks
from tests.disputes.builders import (
    appealed_dispute,
    refused_dispute,
    return_decided_dispute,
    seller_of,
)
from tests.factories import make_mediator

pytestmark = pytest.mark.django_db


def decide(dispute, reason):
    return actions.decide_dispute(
        dispute=dispute,
        mediator=make_mediator(),
        outcome=Outcome.REJECTED,
        reason=reason,
        note="The photos show a cable that charges.",
    )


@pytest.mark.parametrize("reason", ["", "because"])
def test_a_decision_without_a_reason_of_the_list_is_refused(buyer, reason):
    dispute = refused_dispute(buyer)

    with pytest.raises(DisputeActionError) as refused:
        decide(dispute, reason)

    assert refused.value.code == DisputeErrorCode.REASON_REQUIRED
    dispute.refresh_from_db()
    assert dispute.outcome is None


def test_the_decision_and_its_event_keep_the_reason(buyer):
    dispute = decide(refused_dispute(buyer), DecisionReason.ITEM_AS_DESCRIBED)

    dispute.refresh_from_db()
    assert dispute.decision_reason == DecisionReason.ITEM_AS_DESCRIBED
    event = dispute.events.get(kind=EventKind.DECIDED)
    assert event.details["decision_reason"] == "item_as_described"


def test_an_answer_to_an_appeal_needs_a_reason_too(buyer):
    appeal = appealed_dispute(buyer).appeal

    with pytest.raises(DisputeActionError) as refused:
        actions.answer_appeal(appeal=appeal, mediator=make_mediator(), answer="Seen.", reason="")
    assert refused.value.code == DisputeErrorCode.REASON_REQUIRED

    actions.answer_appeal(
        appeal=appeal,
        mediator=make_mediator(),
        answer="Seen.",
        reason=DecisionReason.PROOF_OF_DELIVERY,
    )
    appeal.refresh_from_db()
    assert appeal.answer_reason == DecisionReason.PROOF_OF_DELIVERY
    answered = appeal.dispute.events.get(kind=EventKind.APPEAL_ANSWERED)
    assert answered.details["decision_reason"] == "proof_of_delivery"


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("en", "The item matches its description"),
        ("fr", "L’article correspond à sa description"),
    ],
)
def test_both_parties_read_the_reason_in_their_language(client, buyer, language, sentence):
    dispute = decide(refused_dispute(buyer), DecisionReason.ITEM_AS_DESCRIBED)

    for user, page in (
        (buyer, reverse("disputes:detail", args=[dispute.pk])),
        (seller_of(dispute), reverse("disputes:seller_detail", args=[dispute.pk])),
    ):
        client.force_login(user)
        content = client.get(page, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert sentence in content


def test_the_buyers_email_gives_the_reason_in_the_disputes_language(buyer):
    with translation.override("fr"):
        dispute = refused_dispute(buyer)
    run_tasks()
    mail.outbox.clear()
    decide(dispute, DecisionReason.PARTLY_JUSTIFIED)

    run_tasks()

    (to_buyer,) = [email for email in mail.outbox if email.to == [buyer.email]]
    assert "Motif : La demande de l’acheteur était en partie justifiée" in to_buyer.body


def test_the_decide_form_asks_for_the_reason(client, buyer):
    dispute = refused_dispute(buyer)
    client.force_login(make_mediator())
    url = reverse("admin:disputes_dispute_decide", args=[dispute.pk])

    response = client.post(url, {"outcome": Outcome.REJECTED, "note": "As described."})

    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    dispute.refresh_from_db()
    assert dispute.outcome is None


def test_a_refund_after_return_is_decided_with_a_reason(buyer):
    dispute = refused_dispute(buyer)
    with pytest.raises(DisputeActionError) as refused:
        actions.decide_refund_after_return(
            dispute=dispute, mediator=make_mediator(), reason="", note="Send it back."
        )
    assert refused.value.code == DisputeErrorCode.REASON_REQUIRED

    decided = return_decided_dispute(buyer)

    assert decided.decision_reason == DecisionReason.PARTLY_JUSTIFIED
