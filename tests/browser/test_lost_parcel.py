"""A parcel that never arrived, in a real browser on a phone (PRODUCT.md §2a): past its
promised date the order page offers "Item not received" alone, the buyer opens the dispute
without evidence, and the seller refunds it in full; both pages say who acts and by when."""

# ruff: noqa: RUF001 -- French text uses the typographic apostrophe, as the translation does.

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, ready
from tests.disputes.builders import NOT_RECEIVED, lost_parcel_order, make_seller_account
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "not_arrived": "has not arrived: you can open a dispute for an item not received",
        "open_dispute": "Open dispute",
        "not_received": "Item not received",
        "full_refund": "you can ask for a full refund of €12.99",
        "steps": "Step 1 of 3",
        "next": "Next",
        "description": "Describe the problem",
        "submit": "Submit dispute",
        "waiting": "Waiting for the seller to refund, prove delivery or give a new delivery date",
        "seller_turn": "the buyer has not received the parcel",
        "refund_the_buyer": "Refund the buyer",
        "accept": "Accept the request",
        "yes_refund": "Yes, refund €12.99",
        "agreed": "Ended by agreement: a refund of €12.99",
    },
    "fr": {
        "not_arrived": "n’est pas arrivé : vous pouvez ouvrir un litige pour article non reçu",
        "open_dispute": "Ouvrir le litige",
        "not_received": "Article non reçu",
        "full_refund": "vous pouvez demander un remboursement complet de 12,99",
        "steps": "Étape 1 sur 3",
        "next": "Suivant",
        "description": "Décrivez le problème",
        "submit": "Envoyer le litige",
        "waiting": "En attente du vendeur, qui doit rembourser, prouver la livraison",
        "seller_turn": "l’acheteur n’a pas reçu le colis",
        "refund_the_buyer": "Rembourser l’acheteur",
        "accept": "Accepter la demande",
        "yes_refund": "Oui, rembourser 12,99",
        "agreed": "Réglé à l’amiable : remboursement de 12,99",
    },
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_lost_parcel_from_the_order_page_to_the_sellers_refund(open_visit, language):
    words = WORDS[language]
    seller_account = make_seller_account()
    order = lost_parcel_order(make_user("alice"), seller=seller_account)

    buyer = open_visit("buyer", viewport=PHONE, language=language)
    buyer.log_in("alice")
    buyer.goto(f"/orders/{order.number}/")
    page = buyer.page
    panel = page.locator(".order__item + .dispute-panel")
    expect(panel).to_contain_text(words["not_arrived"])
    buyer.step("order-past-its-promised-date")
    panel.get_by_role("link", name=words["open_dispute"]).click()

    expect(page.get_by_text(words["steps"])).to_be_visible()
    expect(page.get_by_text(words["full_refund"])).to_be_visible()
    expect(page.locator('input[name="reason-reason"]')).to_have_count(1)
    expect(page.get_by_label(words["not_received"])).to_be_checked()
    buyer.step("wizard-reason-offered-alone")
    page.get_by_role("button", name=words["next"]).click()

    ready(page.locator("#evidence-panel"))
    page.get_by_label(words["description"]).fill(NOT_RECEIVED)
    buyer.step("wizard-details-evidence-optional")
    page.get_by_role("button", name=words["next"]).click()
    expect(page.locator("dl.review")).to_contain_text(words["not_received"])
    page.get_by_role("button", name=words["submit"]).click()

    expect(page).to_have_url(re.compile(r"/disputes/\d+/$"))
    dispute_path = page.url.removeprefix(buyer.base_url)
    expect(page.locator(".next-step")).to_contain_text(words["waiting"])
    buyer.step("buyer-waits-for-the-seller")

    seller = open_visit("seller", viewport=PHONE, language=language)
    seller.log_in(seller_account.user.username)
    seller.goto(dispute_path.replace("/disputes/", "/seller/disputes/"))
    spage = seller.page
    expect(spage.locator(".next-step--yours")).to_contain_text(words["seller_turn"])
    answers = spage.get_by_role("region", name=re.compile("Your answer|Votre réponse"))
    expect(answers.get_by_role("heading", name=words["refund_the_buyer"])).to_be_visible()
    seller.step("seller-three-answers")
    answers.locator("summary", has_text=words["accept"]).click()
    answers.get_by_role("button", name=words["yes_refund"]).click()
    expect(spage.locator("#agreement-heading")).to_contain_text(words["agreed"])
    seller.step("seller-refunded")

    buyer.goto(dispute_path)
    expect(page.locator("#agreement-heading")).to_contain_text(words["agreed"])
    buyer.step("buyer-refunded")
