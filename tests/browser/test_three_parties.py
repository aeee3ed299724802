"""The three-party dispute of PRODUCT.md §4 in a real browser, the buyer and the seller on
phones, in English and in French, and a mediator in the admin.

The buyer opens a dispute; the seller offers a partial refund; the buyer refuses it and
asks for mediation; a mediator asks the seller for information; the seller replies with
a photo; the mediator decides; both parties read the decision. Every page is
screenshotted and checked with axe and for console errors.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, corpus_file
from tests.disputes.builders import disputable_order, make_mediator, make_seller_account
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESCRIPTION = "The speaker crackles at any volume and the charging port is loose."
QUESTION = "Please send a photo of the speaker you shipped, with its serial number."
REPLY = "Here is the speaker we shipped, with its serial number on the back."
NOTE = "The seller's photo shows a different model from the one the buyer received."

WORDS = {
    "en": {
        "open_dispute": "Open dispute",
        "defective": "Item defective or damaged",
        "partial_refund": "Partial refund",
        "amount_label": "Amount you ask for",
        "amount": "9.00",
        "next": "Next",
        "description_label": "Describe the problem",
        "submit": "Submit dispute",
        "waiting_for_seller": "Waiting for the seller",
        "your_turn": "It is your turn",
        "offer_label": "Amount you offer",
        "offer": "4.00",
        "offer_button": "Offer this refund",
        "ask_for_mediation": "Ask for mediation",
        "mediation_asked": "You refused the offer: a mediator will now review the dispute.",
        "with_mediators": "With the mediators",
        "asked_you": "A mediator asked you for information",
        "message_label": "Your message",
        "add_files": "Add photos or videos",
        "send_message": "Send message",
        "message_sent": "Your message is sent.",
        "decision": "Decision: Full refund",
    },
    "fr": {
        "open_dispute": "Ouvrir le litige",
        "defective": "Article défectueux ou endommagé",
        "partial_refund": "Remboursement partiel",
        "amount_label": "Montant demandé",
        "amount": "9,00",
        "next": "Suivant",
        "description_label": "Décrivez le problème",
        "submit": "Envoyer le litige",
        "waiting_for_seller": "En attente du vendeur",
        "your_turn": "C\u2019est à vous",
        "offer_label": "Montant proposé",
        "offer": "4,00",
        "offer_button": "Proposer ce remboursement",
        "ask_for_mediation": "Demander une médiation",
        "mediation_asked": "Vous avez refusé l\u2019offre",
        "with_mediators": "Chez les médiateurs",
        "asked_you": "Un médiateur vous demande des informations",
        "message_label": "Votre message",
        "add_files": "Ajouter des photos ou des vidéos",
        "send_message": "Envoyer le message",
        "message_sent": "Votre message est envoyé.",
        "decision": "Décision\u00a0: Remboursement complet",
    },
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_buyer_seller_and_mediator_settle_a_dispute(open_visit, evidence_root, language):
    words = WORDS[language]
    store = make_seller_account()
    make_mediator()
    order = disputable_order(make_user("alice"), seller=store, price="29.99")

    buyer = open_visit("buyer", viewport=PHONE, language=language)
    buyer.log_in("alice")
    dispute_url = open_the_dispute(buyer, order, words)

    seller = open_visit("seller", viewport=PHONE, language=language)
    seller.log_in(store.user.username)
    seller_url = dispute_url.replace("/disputes/", "/seller/disputes/")
    offer_a_refund(seller, seller_url, words)

    ask_for_mediation(buyer, dispute_url, words)

    mediator = open_visit("mediator", viewport=DESKTOP)
    mediator.log_in("mediator", admin=True)
    admin_url = f"/admin/disputes/dispute/{dispute_url.rstrip('/').rsplit('/', 1)[-1]}/change/"
    ask_the_seller(mediator, admin_url)

    reply_with_a_photo(seller, seller_url, words)

    decide(mediator, admin_url)

    for party, url in ((buyer, dispute_url), (seller, seller_url)):
        party.goto(url)
        expect(party.page.locator("#decision-heading")).to_contain_text(words["decision"])
        party.step("decision-seen")


def open_the_dispute(buyer, order, words):
    """The wizard, without files: reason, a partial refund, a description, submit."""
    page = buyer.page
    buyer.goto(f"/orders/{order.number}/")
    page.get_by_role("link", name=words["open_dispute"], exact=True).click()
    page.get_by_label(words["defective"]).check()
    page.get_by_role("button", name=words["next"]).click()
    page.get_by_label(words["partial_refund"]).check()
    page.get_by_label(words["amount_label"]).fill(words["amount"])
    page.get_by_role("button", name=words["next"]).click()
    page.get_by_label(words["description_label"]).fill(DESCRIPTION)
    page.get_by_role("button", name=words["next"]).click()
    page.get_by_role("button", name=words["submit"]).click()
    expect(page.locator(".next-step")).to_contain_text(words["waiting_for_seller"])
    buyer.step("dispute-opened")
    return page.url.removeprefix(buyer.base_url)


def offer_a_refund(seller, url, words):
    page = seller.page
    seller.goto(url)
    expect(page.locator(".next-step--yours")).to_contain_text(words["your_turn"])
    page.get_by_label(words["offer_label"]).fill(words["offer"])
    page.get_by_role("button", name=words["offer_button"]).click()
    expect(page.locator(".next-step")).not_to_have_class("next-step--yours")
    seller.step("seller-offered")


def ask_for_mediation(buyer, url, words):
    page = buyer.page
    buyer.goto(url)
    expect(page.locator(".next-step--yours")).to_contain_text(words["your_turn"])
    page.get_by_role("button", name=words["ask_for_mediation"]).click()
    expect(page.get_by_text(words["mediation_asked"])).to_be_visible()
    expect(page.locator(".next-step")).to_contain_text(words["with_mediators"])
    buyer.step("mediation-asked")


def ask_the_seller(mediator, url):
    page = mediator.page
    mediator.goto(url)
    mediator.step("admin-escalated")
    page.get_by_role("link", name="Ask for information").click()
    page.get_by_label("Seller").check()
    page.get_by_label("What you need to know").fill(QUESTION)
    mediator.step("admin-ask")
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator(".messagelist")).to_contain_text("the party asked is told")
    mediator.step("admin-asked")


def reply_with_a_photo(seller, url, words):
    page = seller.page
    seller.goto(url)
    expect(page.locator(".next-step--yours")).to_contain_text(words["asked_you"])
    conversation = page.locator("#conversation")
    expect(conversation).to_contain_text(QUESTION)
    conversation.get_by_label(words["message_label"]).fill(REPLY)
    conversation.get_by_label(words["add_files"]).set_input_files(
        [corpus_file("good/png_photo_hopper.png")]
    )
    expect(conversation.locator(".evidence-item")).to_have_count(1)
    conversation.get_by_role("button", name=words["send_message"]).click()
    expect(page.get_by_text(words["message_sent"])).to_be_visible()
    expect(page.locator(".next-step")).to_contain_text(words["with_mediators"])
    seller.step("seller-replied")


def decide(mediator, url):
    page = mediator.page
    mediator.goto(url)
    expect(page.locator("#content-main")).to_contain_text(REPLY)
    mediator.step("admin-replied")
    page.get_by_role("link", name="Decide").click()
    page.get_by_label("Full refund").check()
    page.get_by_label("Reason for the decision").select_option("evidence_shows_defect")
    page.get_by_label("Note to the buyer").fill(NOTE)
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".messagelist")).to_contain_text("The decision is recorded")
    mediator.step("admin-decided")
