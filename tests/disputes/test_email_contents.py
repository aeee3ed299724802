"""Each email says what happened: the amount, the statement, the message or question, the
decision; in its reader's language and zone, with who acts next (PRODUCT.md §4d)."""

from decimal import Decimal

import pytest
from django.core import mail
from django.utils import formats, timezone, translation

from accounts.middleware import time_zone_of
from disputes import actions, notifications
from disputes.models import EventKind, Outcome
from tests.conftest import run_tasks
from tests.disputes.builders import (
    STATEMENT,
    agreed_dispute,
    answerable_dispute,
    extended_dispute,
    information_requested_dispute,
    make_mediator,
    offered_dispute,
    refused_dispute,
    seller_of,
)
from tests.disputes.test_notifications import latest_event, shown

pytestmark = pytest.mark.django_db


def email_to(user, dispute, kind):
    emails = notifications.event_emails(latest_event(dispute, kind))
    (email,) = [email for email in emails if email.to == user.email]
    return email


def test_the_buyer_reads_the_amount_of_the_offer(buyer):
    dispute = offered_dispute(buyer, amount=Decimal("5.50"))
    assert "The seller offers a refund of €5.50." in email_to(buyer, dispute, "offer_made").body


def test_the_offer_is_written_the_french_way_for_a_french_buyer(buyer):
    with translation.override("fr"):
        dispute = answerable_dispute(buyer)
    actions.make_offer(dispute=dispute, seller=seller_of(dispute), amount=Decimal("5.50"))
    assert "5,50\xa0€" in email_to(buyer, dispute, "offer_made").body


def test_the_buyer_reads_the_refund_an_agreement_gives(buyer):
    dispute = agreed_dispute(buyer)
    body = email_to(buyer, dispute, EventKind.SELLER_ACCEPTED).body
    assert "Refund: €12.99." in body


def test_the_seller_reads_the_refund_of_the_offer_the_buyer_accepted(buyer):
    dispute = offered_dispute(buyer, amount=Decimal("5.50"))
    actions.accept_offer(dispute=dispute, buyer=buyer)
    assert "Refund: €5.50." in email_to(seller_of(dispute), dispute, "offer_accepted").body


def test_the_buyer_reads_the_sellers_statement(buyer):
    dispute = refused_dispute(buyer)
    body = email_to(buyer, dispute, EventKind.SELLER_REFUSED).body
    assert f"The seller's statement:\n{STATEMENT}" in body
    assert "The dispute is now with the mediators." in body


def test_a_refusal_that_escalates_sends_one_email_not_two(buyer):
    dispute = answerable_dispute(buyer)
    run_tasks()
    mail.outbox.clear()
    actions.refuse_request(dispute=dispute, seller=seller_of(dispute), statement=STATEMENT)
    run_tasks()
    assert [email.to for email in mail.outbox].count([buyer.email]) == 1


def test_a_message_is_quoted(buyer):
    dispute = answerable_dispute(buyer)
    actions.post_message(dispute=dispute, author=buyer, body="The plug is cracked, see photo 2.")
    body = email_to(seller_of(dispute), dispute, EventKind.MESSAGE).body
    assert "The message:\nThe plug is cracked, see photo 2." in body


def test_a_mediators_question_is_quoted(buyer):
    dispute = information_requested_dispute(buyer)
    body = email_to(seller_of(dispute), dispute, EventKind.INFORMATION_REQUESTED).body
    assert "The mediator's question:\nPlease send a photo of the cable you shipped." in body


def test_the_seller_reads_the_decision_and_its_amount(buyer):
    dispute = refused_dispute(buyer)
    actions.decide_dispute(
        dispute=dispute,
        mediator=make_mediator(),
        outcome=Outcome.PARTIAL_REFUND,
        refund_amount=Decimal("7.25"),
        reason="partly_justified",
        note="Half the fault is shown.",
    )
    body = email_to(seller_of(dispute), dispute, EventKind.DECIDED).body
    assert "Decision: Partial refund — €7.25" in body
    assert "\n\n\n" not in body


def test_the_buyer_gets_an_acknowledgement_with_what_comes_next(buyer):
    dispute = answerable_dispute(buyer)
    body = email_to(buyer, dispute, EventKind.OPENED).body
    assert f"Your dispute about order {dispute.order.number}" in body
    assert "Request: a full refund (€12.99)." in body
    assert f"The seller must answer by {shown(dispute.stage_deadline, 'en')}" in body


def test_the_buyer_gets_an_acknowledgement_of_an_appeal(buyer):
    dispute = refused_dispute(buyer)
    actions.decide_dispute(
        dispute=dispute,
        mediator=make_mediator(),
        outcome=Outcome.REJECTED,
        reason="item_as_described",
        note="No fault.",
    )
    actions.send_appeal(dispute=dispute, appellant=buyer, message="The photos show the fault.")
    body = email_to(buyer, dispute, EventKind.APPEAL_SENT).body
    assert "Your appeal about the dispute on order" in body
    assert "Customer service (the mediators) will answer you" in body


def test_a_seller_reads_dates_in_the_zone_their_browser_reported_at_sign_in(buyer, client):
    dispute = answerable_dispute(buyer)
    seller = seller_of(dispute)
    client.cookies["tz"] = "UTC"
    client.post(
        "/accounts/login/", {"username": seller.username, "password": "correct-horse-battery"}
    )
    seller.refresh_from_db()
    assert seller.browser_time_zone == "UTC"

    body = email_to(seller, dispute, EventKind.OPENED).body
    assert shown(dispute.stage_deadline, "en", "UTC") in body
    assert "CET" not in body


def test_an_unknown_zone_from_the_browser_is_not_kept(buyer, client):
    dispute = answerable_dispute(buyer)
    seller = seller_of(dispute)
    client.cookies["tz"] = "Mars/Olympus"
    client.post(
        "/accounts/login/", {"username": seller.username, "password": "correct-horse-battery"}
    )
    seller.refresh_from_db()
    assert seller.browser_time_zone == ""


def test_the_buyer_reads_until_when_the_seller_asks_them_to_wait(buyer):
    dispute = extended_dispute(buyer)
    with timezone.override(time_zone_of(buyer)):  # the reader's zone
        new_date = timezone.localtime(dispute.delivery_extended_to)
        words = formats.date_format(new_date, "DATETIME_FORMAT")
    body = email_to(buyer, dispute, EventKind.DELIVERY_EXTENDED).body
    assert f"wait for the parcel of order {dispute.order.number} until {words}." in body
