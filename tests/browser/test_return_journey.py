"""A return before the refund in a real browser on a phone, in English and in French: the
seller accepts if the item is returned, the buyer reads where to send it and who pays the
postage, enters the tracking with a photo of the receipt, and the seller confirms the
return arrived: the refund. At each step both parties' pages say who acts and by when."""

# ruff: noqa: RUF001 -- French text uses the typographic apostrophe, as the translation does.

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, corpus_file
from tests.disputes.builders import CARRIER, TRACKING_NUMBER, answerable_dispute, seller_of
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "accept_if_returned": "Accept if the item is returned",
        "seller_pays": "You pay the return postage: the buyer reports a fault with the item.",
        "yes_ask": "Yes, ask for the item back",
        "waiting_for_buyer": "Waiting for the buyer to ship the item back: they have until",
        "buyers_turn": "It is your turn: send the item back to the return address below",
        "buyer_postage": "The seller pays the return postage: keep the receipt to be reimbursed.",
        "shipped": "I have shipped the return",
        "carrier": "Carrier",
        "tracking": "Tracking number",
        "send_tracking": "Send the tracking number",
        "on_its_way": "The return is on its way: the seller has until",
        "sellers_turn": "It is your turn: confirm the return arrived",
        "confirm": "Confirm the return arrived",
        "yes_arrived": "Yes, the return arrived",
        "refunded": "Ended by agreement: a refund of €12.99",
        "nobody": "Nobody: this dispute has ended",
    },
    "fr": {
        "accept_if_returned": "Accepter si l’article est retourné",
        "seller_pays": "Vous payez les frais de retour : l’acheteur signale un défaut",
        "yes_ask": "Oui, demander le retour de l’article",
        "waiting_for_buyer": "En attente du renvoi de l’article par l’acheteur : il a jusqu’au",
        "buyers_turn": "C’est à vous : renvoyez l’article à l’adresse de retour ci-dessous",
        "buyer_postage": "Le vendeur paie les frais de retour : gardez le reçu",
        "shipped": "J’ai expédié le retour",
        "carrier": "Transporteur",
        "tracking": "Numéro de suivi",
        "send_tracking": "Envoyer le numéro de suivi",
        "on_its_way": "Le retour est en route : le vendeur a jusqu’au",
        "sellers_turn": "C’est à vous : confirmez la réception du retour",
        "confirm": "Confirmer la réception du retour",
        "yes_arrived": "Oui, le retour est arrivé",
        "refunded": "Réglé à l’amiable : remboursement de 12,99",
        "nobody": "Personne",
    },
}
# The time left, as the next-step card says it beside the date, in either language.
TIME_LEFT = re.compile(r"\d+ (days?|jours?)")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_return_from_the_sellers_condition_to_the_refund(open_visit, evidence_root, language):
    words = WORDS[language]
    alice = make_user("alice")
    dispute = answerable_dispute(alice)
    seller = open_visit("seller", viewport=PHONE, language=language)
    seller.log_in(seller_of(dispute).username)
    buyer = open_visit("buyer", viewport=PHONE, language=language)
    buyer.log_in("alice")

    # The seller reads who pays the postage and the address before asking for the item.
    seller.goto(f"/seller/disputes/{dispute.pk}/")
    page = seller.page
    expect(page.get_by_text(words["seller_pays"])).to_be_visible()
    page.locator("summary", has_text=words["accept_if_returned"]).click()
    expect(page.locator(".answers .return__address")).to_contain_text("12 rue des Retours")
    seller.step("seller-accepts-if-returned")
    page.get_by_role("button", name=words["yes_ask"]).click()
    expect(page.locator(".next-step")).to_contain_text(words["waiting_for_buyer"])
    expect(page.locator(".next-step")).to_contain_text(TIME_LEFT)
    seller.step("seller-waits-for-the-return")

    # The buyer: the address, who pays, and by when; then the tracking and the receipt.
    buyer.goto(f"/disputes/{dispute.pk}/")
    page = buyer.page
    expect(page.locator(".next-step--yours")).to_contain_text(words["buyers_turn"])
    expect(page.locator(".next-step--yours")).to_contain_text(TIME_LEFT)
    expect(page.locator(".return .return__address")).to_contain_text("12 rue des Retours")
    expect(page.locator(".return__postage")).to_contain_text(words["buyer_postage"])
    buyer.step("buyer-return-to-ship")
    page.get_by_role("link", name=words["shipped"]).click()
    page.get_by_label(words["carrier"]).fill(CARRIER)
    page.get_by_label(words["tracking"]).fill(TRACKING_NUMBER)
    page.locator("input[type=file]").set_input_files([corpus_file("good/png_photo_hopper.png")])
    expect(page.locator(".evidence-item")).to_have_count(1)
    buyer.step("buyer-enters-the-tracking")
    page.get_by_role("button", name=words["send_tracking"]).click()
    expect(page.locator(".next-step")).to_contain_text(words["on_its_way"])
    expect(page.locator(".return__tracking")).to_contain_text(TRACKING_NUMBER)
    buyer.step("buyer-return-on-its-way")

    # The seller confirms it arrived: the refund.
    seller.goto(f"/seller/disputes/{dispute.pk}/")
    page = seller.page
    expect(page.locator(".next-step--yours")).to_contain_text(words["sellers_turn"])
    expect(page.locator(".next-step--yours")).to_contain_text(TIME_LEFT)
    expect(page.locator(".return__tracking")).to_contain_text(CARRIER)
    seller.step("seller-return-on-its-way")
    page.locator("summary", has_text=words["confirm"]).click()
    page.get_by_role("button", name=words["yes_arrived"]).click()
    expect(page.locator("#agreement-heading")).to_contain_text(words["refunded"])
    seller.step("seller-refunded")

    buyer.goto(f"/disputes/{dispute.pk}/")
    expect(buyer.page.locator("#agreement-heading")).to_contain_text(words["refunded"])
    expect(buyer.page.locator(".next-step")).to_contain_text(words["nobody"])
    buyer.step("buyer-refunded")
