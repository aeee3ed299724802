"""Confirm receipt in a real browser on a phone: offered on an order in transit, confirmed
first, and the dispute panel shows the new window at once, in English and in French."""

# ruff: noqa: RUF001 -- French text uses the typographic apostrophe, as the translation does.

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.test_eligibility_reasons import shown
from tests.factories import make_order, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "confirm_receipt": "Confirm receipt",
        "starts": "This starts your 15-day dispute window.",
        "yes": "Yes, I have received it",
        "confirmed": "Receipt confirmed.",
        "open_dispute": "Open dispute",
        "in_transit": "The order is still in transit: delivery is promised by",
    },
    "fr": {
        "confirm_receipt": "Confirmer la réception",
        "starts": "Cela ouvre votre délai de 15 jours pour ouvrir un litige.",
        "yes": "Oui, je l’ai reçue",
        "confirmed": "Réception confirmée.",
        "open_dispute": "Ouvrir le litige",
        "in_transit": "La commande est toujours en cours d’acheminement : la livraison est promise",
    },
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_confirming_receipt_on_a_phone_opens_the_dispute_window(open_visit, language):
    words = WORDS[language]
    alice = make_user("alice")
    order = make_order(alice, shipped_at=timezone.now() - timedelta(days=12))
    buyer = open_visit("buyer", viewport=PHONE, language=language)
    buyer.log_in("alice")
    buyer.goto(f"/orders/{order.number}/")
    page = buyer.page
    panel = page.locator(".order__item + .dispute-panel")
    expect(panel.locator(".reason--in_transit")).to_contain_text(words["in_transit"])
    expect(panel.get_by_role("link", name=words["open_dispute"], exact=True)).to_have_count(0)
    yes = panel.get_by_role("button", name=words["yes"])
    expect(yes).to_be_hidden()
    buyer.step("in-transit")

    # Confirm first: the summary opens the explanation and the real button.
    panel.get_by_text(words["confirm_receipt"], exact=True).click()
    expect(panel.locator(".confirm-receipt")).to_contain_text(words["starts"])
    expect(yes).to_be_visible()
    buyer.step("confirm-first")

    yes.click()
    expect(page.locator(".message--success")).to_contain_text(words["confirmed"])
    order.refresh_from_db()
    assert order.receipt_confirmed_by == alice
    closes = shown(order.received_at + timedelta(days=15), language)
    expect(panel.get_by_role("link", name=words["open_dispute"], exact=True)).to_be_visible()
    expect(panel.locator(".deadline")).to_contain_text(closes)
    expect(panel.locator(".reason")).to_have_count(0)
    expect(page.get_by_text(words["confirm_receipt"], exact=True)).to_have_count(0)
    buyer.step("received")
