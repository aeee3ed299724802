"""Emails about a dispute are written in the language the buyer opened it in."""

from decimal import Decimal

from django.core import mail
from django.utils import translation

from disputes import actions
from disputes.models import Outcome, RefundRequest
from tests.conftest import run_tasks
from tests.disputes.builders import disputable_order, make_mediator, open_dispute

NOTE = "The photos do not show the fault described."


def decide(dispute, outcome=Outcome.REJECTED, refund_amount=None):
    run_tasks()  # the emails of the opening (the buyer's acknowledgement)
    mail.outbox.clear()
    # The mediator works in English: the buyer's language must win anyway.
    with translation.override("en"):
        return actions.decide_dispute(
            reason="evidence_shows_defect",
            dispute=dispute,
            mediator=make_mediator(),
            outcome=outcome,
            refund_amount=refund_amount,
            note=NOTE,
        )


def test_a_dispute_opened_in_french_gets_its_decision_email_in_french(buyer):
    with translation.override("fr"):
        dispute = open_dispute(buyer)
    assert dispute.language == "fr"

    decide(dispute)
    run_tasks()

    (email,) = mail.outbox
    number = dispute.order.number
    assert email.subject == f"Décision sur votre litige pour la commande {number}"
    assert email.body.startswith("Bonjour alice,")
    assert f"Un médiateur a tranché votre litige concernant la commande {number}" in email.body
    assert "Décision\u00a0: Rejeté, en faveur du vendeur" in email.body
    assert NOTE in email.body
    assert "vous pouvez contacter le service client pour faire appel" in email.body
    assert "Decision" not in email.body


def test_a_dispute_opened_in_english_gets_its_decision_email_in_english(buyer):
    with translation.override("en"):
        dispute = open_dispute(buyer)

    run_tasks()  # the emails of the opening (the buyer's acknowledgement)
    mail.outbox.clear()
    with translation.override("fr"):
        actions.decide_dispute(
            reason="evidence_shows_defect",
            dispute=dispute,
            mediator=make_mediator(),
            outcome=Outcome.REJECTED,
            note=NOTE,
        )
    run_tasks()

    (email,) = mail.outbox
    assert email.subject == f"Decision on your dispute for order {dispute.order.number}"
    assert "Decision: Rejected, in the seller's favour" in email.body


def test_a_french_partial_refund_is_written_in_euros_the_french_way(buyer):
    with translation.override("fr"):
        dispute = open_dispute(
            buyer,
            order=disputable_order(buyer),
            refund_request=RefundRequest.PARTIAL,
            requested_amount=Decimal("8.00"),
        )

    decide(dispute, Outcome.PARTIAL_REFUND, refund_amount=Decimal("6.50"))
    run_tasks()

    assert "Décision\u00a0: Remboursement partiel — 6,50\u00a0€" in mail.outbox[0].body


def test_the_answer_to_an_appeal_is_emailed_in_the_buyers_language(buyer):
    with translation.override("fr"):
        dispute = open_dispute(buyer)
    decide(dispute)
    actions.send_appeal(
        dispute=dispute, appellant=buyer, message="Le vendeur ne m'a jamais répondu."
    )
    run_tasks()  # the decision's own email, and the acknowledgements
    mail.outbox.clear()

    with translation.override("en"):
        actions.answer_appeal(
            reason="item_as_described",
            appeal=dispute.appeal,
            mediator=make_mediator(),
            answer="Nous maintenons la décision.",
        )
    run_tasks()

    (email,) = mail.outbox
    number = dispute.order.number
    assert email.subject == (
        f"Le service client a répondu à votre recours pour la commande {number}"
    )
    assert f"Le service client a répondu à votre recours concernant la commande {number}" in (
        email.body
    )
    assert "Nous maintenons la décision." in email.body
