"""The orders list on a phone: each order's dispute badge is legible and accessible."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from disputes.models import Outcome
from tests.browser.conftest import PHONE
from tests.disputes.builders import (
    agreed_dispute,
    answerable_dispute,
    cancelled_dispute,
    decided_dispute,
    offered_dispute,
    open_dispute,
)
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BADGES = {
    "en": [
        "Waiting for the seller",
        "Waiting for you",
        "Dispute open",
        "Dispute cancelled",
        "Ended by agreement: €12.99",
        "Refunded €5.50",
        "Decided against you",
    ],
    "fr": [
        "En attente du vendeur",
        "En attente de votre réponse",
        "Litige ouvert",
        "Litige annulé",
        "Terminé par un accord\xa0: 12,99\xa0€",
        "Remboursé 5,50\xa0€",
        "Tranché en votre défaveur",
    ],
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_each_orders_card_shows_its_disputes_state_on_a_phone(open_visit, language):
    alice = make_user("alice")
    for make in (
        answerable_dispute,
        offered_dispute,
        open_dispute,
        cancelled_dispute,
        agreed_dispute,
        lambda buyer: decided_dispute(buyer, Outcome.PARTIAL_REFUND, Decimal("5.50")),
        decided_dispute,
    ):
        make(alice)
    buyer = open_visit("buyer", viewport=PHONE, language=language)
    buyer.log_in("alice")
    buyer.goto("/orders/")
    badges = buyer.page.locator(".order-card .dispute-badge")
    expect(badges).to_have_count(len(BADGES[language]))
    for badge in BADGES[language]:
        expect(badges.filter(has_text=badge)).to_have_count(1)
    buyer.step("orders-with-disputes")
