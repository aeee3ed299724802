"""The buyer's journey of PRODUCT.md §1 to §4 in a real browser, on a phone and a desktop.

From logging in to the answer to an appeal: the buyer finds the order, opens a dispute
with evidence, cancels and reopens it; a mediator decides against them in the admin; the
buyer appeals and reads the answer. Every page is screenshotted and checked with axe.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, corpus_file, ready
from tests.disputes.builders import disputable_order
from tests.factories import make_order, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESCRIPTION = "The cable stopped charging after two days and the connector is loose."
APPEAL = "The seller never answered me, and the photos clearly show the loose connector."
NOTE = "The photos do not show a fault we can attribute to the seller."
ANSWER = "We reviewed your photos again; the decision stands."

# The words the buyer reads, in each language (PRODUCT.md §7 for the vocabulary).
WORDS = {
    "en": {
        "my_account": "My account",
        "orders": "Orders",
        "view_all": "View all",
        "open_dispute": "Open dispute",
        "defective": "Item defective or damaged",
        "partial_refund": "Partial refund",
        "amount_label": "Amount you ask for",
        "amount": "5.50",
        "amount_shown": "€5.50",
        "partial_request": "Partial refund: €5.50",
        "price_shown": "€12.99",
        "next": "Next",
        "description_label": "Describe the problem",
        "add_files": "Add photos or videos",
        "submit": "Submit dispute",
        "status_open": "Open",
        "status_cancelled": "Cancelled",
        "opened_event": "Dispute opened",
        "cancel_dispute": "Cancel dispute",
        "confirm_cancel": "Yes, cancel the dispute",
        "cancelled_message": "Your dispute is cancelled.",
        "reopen_dispute": "Reopen dispute",
        "reopened_event": "Dispute reopened",
        "decision": "Rejected, in the seller's favour",
        "decision_reason": "The item matches its description",
        "cannot_reopen": "A dispute decided against you cannot be reopened.",
        "contact": "Contact customer service",
        "message_label": "Your message to customer service",
        "send_appeal": "Send to customer service",
        "appeal_sent": "Your appeal is sent to customer service.",
        "answer_heading": "Customer service's answer",
    },
    "fr": {
        "my_account": "Mon compte",
        "orders": "Commandes",
        "view_all": "Voir tout",
        "open_dispute": "Ouvrir le litige",
        "defective": "Article défectueux ou endommagé",
        "partial_refund": "Remboursement partiel",
        "amount_label": "Montant demandé",
        "amount": "5,50",
        "amount_shown": "5,50\u00a0€",
        "partial_request": "Remboursement partiel\u00a0: 5,50\u00a0€",
        "price_shown": "12,99\u00a0€",
        "next": "Suivant",
        "description_label": "Décrivez le problème",
        "add_files": "Ajouter des photos ou des vidéos",
        "submit": "Ouvrir le litige",
        "status_open": "Ouvert",
        "status_cancelled": "Annulé",
        "opened_event": "Litige ouvert",
        "cancel_dispute": "Annuler le litige",
        "confirm_cancel": "Oui, annuler le litige",
        "cancelled_message": "Votre litige est annulé.",
        "reopen_dispute": "Rouvrir le litige",
        "reopened_event": "Litige rouvert",
        "decision": "Rejeté, en faveur du vendeur",
        "decision_reason": "L’article correspond à sa description",  # noqa: RUF001
        "cannot_reopen": "Un litige tranché en votre défaveur ne peut pas être rouvert.",
        "contact": "Contacter le service client",
        "message_label": "Votre message au service client",
        "send_appeal": "Envoyer au service client",
        "appeal_sent": "Votre recours est envoyé au service client.",
        "answer_heading": "Réponse du service client",
    },
}

PHOTO = "good/png_photo_hopper.png"
ROTATED_PHOTO = "good/jpeg_exif_orientation_6.jpg"
VIDEO = "good/webm_vp8_vorbis.webm"
REFUSED = "bad/exe_renamed.jpg"
ACCEPTED_NAMES = ["png_photo_hopper.png", "jpeg_exif_orientation_6.jpg", "webm_vp8_vorbis.webm"]


@pytest.mark.parametrize(
    ("viewport", "language"),
    [
        pytest.param(PHONE, "en", id="phone-en"),
        pytest.param(DESKTOP, "en", id="desktop-en"),
        pytest.param(PHONE, "fr", id="phone-fr"),
    ],
)
def test_buyer_journey_from_order_to_appeal_answer(open_visit, evidence_root, viewport, language):
    words = WORDS[language]
    alice = make_user("alice")
    order = disputable_order(alice)
    # Other orders around it, so the lists look like a buyer's.
    now = timezone.now()
    make_order(alice, item="Wireless earbuds, charging case", placed_at=now - timedelta(days=1))
    make_order(
        alice,
        item="Desk lamp, LED, dimmable",
        price=Decimal("24.00"),
        shipped_at=now - timedelta(days=5),
    )
    make_user("mediator", is_staff=True, is_superuser=True)

    buyer = open_visit("buyer", viewport=viewport, language=language)
    buyer.log_in("alice")
    find_the_order(buyer, order, words, on_phone=viewport == PHONE)
    dispute_url = open_the_dispute(buyer, order, words)
    cancel_and_reopen(buyer, words)

    mediator = open_visit("mediator", viewport=DESKTOP)
    mediator.log_in("mediator", admin=True)
    decide_against_the_buyer(mediator, order)

    appeal_the_decision(buyer, dispute_url, order, words)
    answer_the_appeal(mediator, order)

    buyer.goto(dispute_url)
    expect(buyer.page.get_by_role("heading", name=words["answer_heading"])).to_be_visible()
    expect(buyer.page.get_by_text(ANSWER)).to_be_visible()
    buyer.step("appeal-answered")


def find_the_order(buyer, order, words, *, on_phone):
    """My account (bottom bar on a phone) → Orders → View all → the order (PRODUCT.md §1)."""
    page = buyer.page
    expect(page.get_by_role("heading", level=1)).to_have_text(words["my_account"])
    if on_phone:
        bar = page.locator("nav.bottom-bar")
        account_link = bar.get_by_role("link", name=words["my_account"])
        expect(account_link).to_be_visible()
        expect(page.locator("nav.top-nav")).to_be_hidden()
        link_box = account_link.bounding_box()
        assert link_box["x"] >= page.viewport_size["width"] / 2, "My account is on the right"
        assert link_box["y"] > page.viewport_size["height"] / 2, "the bar is at the bottom"
    else:
        account_link = page.locator("nav.top-nav").get_by_role("link", name=words["my_account"])
    account_link.click()
    buyer.step("my-account")

    orders = page.get_by_role("region", name=words["orders"])
    orders.get_by_role("link", name=words["view_all"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["orders"])
    buyer.step("order-list")

    page.get_by_role("link", name=re.compile(re.escape(order.item))).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(order.number)
    expect(page.get_by_text(order.seller.name)).to_be_visible()
    expect(page.locator(".order__item .price")).to_have_text(words["price_shown"])
    # "Directly beneath the item": the dispute panel is the item's next sibling.
    panel = page.locator(".order__item + .dispute-panel")
    expect(panel.get_by_role("link", name=words["open_dispute"])).to_be_visible()
    expect(panel.locator(".deadline")).to_be_visible()
    buyer.step("order-page")


def open_the_dispute(buyer, order, words):
    """The wizard: reason → partial refund → description and evidence → review → submit."""
    page = buyer.page
    page.get_by_role("link", name=words["open_dispute"]).click()
    page.get_by_label(words["defective"]).check()
    buyer.step("wizard-reason")
    page.get_by_role("button", name=words["next"]).click()

    page.get_by_label(words["partial_refund"]).check()
    page.get_by_label(words["amount_label"]).fill(words["amount"])
    buyer.step("wizard-refund")
    page.get_by_role("button", name=words["next"]).click()

    page.get_by_label(words["description_label"]).fill(DESCRIPTION)
    # Each choice is uploaded at once; the refused file is named, the others stay listed.
    # Files are chosen once the panel is live (test_evidence_panel.py covers earlier ones).
    panel = page.locator("#evidence-panel")
    ready(panel).get_by_label(words["add_files"]).set_input_files(
        [corpus_file(PHOTO), corpus_file(ROTATED_PHOTO)]
    )
    expect(page.locator(".evidence-item")).to_have_count(2)
    ready(panel).get_by_label(words["add_files"]).set_input_files(
        [corpus_file(VIDEO), corpus_file(REFUSED)]
    )
    refusal = page.locator(".evidence-refusal")
    expect(refusal).to_have_count(1, timeout=15_000)
    expect(refusal).to_contain_text("exe_renamed.jpg")
    expect(page.locator(".evidence-item__name")).to_have_text(ACCEPTED_NAMES)
    expect(page.get_by_label(words["description_label"])).to_have_value(DESCRIPTION)
    buyer.step("wizard-evidence")
    page.get_by_role("button", name=words["next"]).click()

    review = page.locator("dl.review")
    expect(review).to_contain_text(words["defective"])
    expect(review).to_contain_text(words["partial_request"])
    expect(review).to_contain_text(DESCRIPTION)
    for name in ACCEPTED_NAMES:
        expect(review).to_contain_text(name)
    expect(review).not_to_contain_text("exe_renamed.jpg")
    buyer.step("wizard-review")
    page.get_by_role("button", name=words["submit"]).click()

    expect(page).to_have_url(re.compile(r"/disputes/\d+/$"))
    expect(page.locator("#status-heading")).to_contain_text(words["status_open"])
    expect(page.get_by_text(words["amount_shown"])).to_be_visible()
    # The buyer's own video plays; the photos show their thumbnails.
    expect(page.locator(".evidence-gallery video")).to_have_count(1)
    thumbnails = page.locator(".evidence-gallery img")
    expect(thumbnails).to_have_count(2)
    for index in range(2):
        expect(thumbnails.nth(index)).to_have_js_property("complete", True)
        assert thumbnails.nth(index).evaluate("img => img.naturalWidth") > 0
    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text(words["opened_event"])
    buyer.step("dispute-page")
    return page.url.removeprefix(buyer.base_url)


def cancel_and_reopen(buyer, words):
    """Cancel (after confirming), then reopen: the wizard has the earlier answers and files."""
    page = buyer.page
    page.locator("summary", has_text=words["cancel_dispute"]).click()
    confirm = page.get_by_role("button", name=words["confirm_cancel"])
    expect(confirm).to_be_visible()
    buyer.step("cancel-confirm")
    confirm.click()
    expect(page.get_by_text(words["cancelled_message"])).to_be_visible()
    expect(page.locator("#status-heading")).to_contain_text(words["status_cancelled"])
    buyer.step("dispute-cancelled")

    page.get_by_role("link", name=words["reopen_dispute"]).click()
    expect(page.get_by_label(words["defective"])).to_be_checked()
    buyer.step("reopen-reason")
    page.get_by_role("button", name=words["next"]).click()
    expect(page.get_by_label(words["partial_refund"])).to_be_checked()
    expect(page.get_by_label(words["amount_label"])).to_have_value(words["amount"])
    page.get_by_role("button", name=words["next"]).click()
    expect(page.get_by_label(words["description_label"])).to_have_value(DESCRIPTION)
    expect(page.locator(".evidence-item__name")).to_have_text(ACCEPTED_NAMES)
    buyer.step("reopen-evidence")
    page.get_by_role("button", name=words["next"]).click()
    buyer.step("reopen-review")
    page.get_by_role("button", name=words["reopen_dispute"]).click()

    expect(page.locator("#status-heading")).to_contain_text(words["status_open"])
    expect(page.locator("ol.timeline")).to_contain_text(words["reopened_event"])
    buyer.step("dispute-reopened")


def decide_against_the_buyer(mediator, order):
    """Admin queue → the dispute → Decide → rejected, with a note to the buyer."""
    page = mediator.page
    page.locator("#content-main a[href='/admin/disputes/dispute/']").first.click()
    mediator.step("admin-dispute-queue")
    page.get_by_role("link", name=order.number).click()
    mediator.step("admin-dispute")
    page.get_by_role("link", name="Decide").click()
    page.get_by_label("Rejected, in the seller's favour").check()
    page.get_by_label("Reason for the decision").select_option("item_as_described")
    page.get_by_label("Note to the buyer").fill(NOTE)
    page.get_by_label("I have read both sides and their evidence: record this decision").check()
    mediator.step("admin-decide")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("The decision is recorded and the buyer is told.")).to_be_visible()
    mediator.step("admin-decided")


def appeal_the_decision(buyer, dispute_url, order, words):
    """Decided against the buyer: no reopening, the page says why, the appeal is the way."""
    page = buyer.page
    buyer.goto(f"/orders/{order.number}/")
    panel = page.locator(".dispute-panel")
    expect(panel.locator(".reason--already_decided")).to_contain_text(words["decision"])
    expect(panel.get_by_role("link", name=words["open_dispute"])).to_have_count(0)
    expect(panel.get_by_role("link", name=words["reopen_dispute"])).to_have_count(0)
    buyer.step("order-decided")

    buyer.goto(dispute_url)
    expect(page.locator("#decision-heading")).to_contain_text(words["decision"])
    expect(page.get_by_text(NOTE)).to_be_visible()
    expect(page.locator(".decision-reason")).to_contain_text(words["decision_reason"])
    expect(page.get_by_text(words["cannot_reopen"])).to_be_visible()
    expect(page.get_by_role("link", name=words["reopen_dispute"])).to_have_count(0)
    buyer.step("dispute-decided")

    page.get_by_role("link", name=words["contact"]).click()
    page.get_by_label(words["message_label"]).fill(APPEAL)
    buyer.step("appeal-form")
    page.get_by_role("button", name=words["send_appeal"]).click()
    expect(page.get_by_text(words["appeal_sent"])).to_be_visible()
    expect(page.get_by_text(APPEAL)).to_be_visible()
    buyer.step("appeal-sent")


def answer_the_appeal(mediator, order):
    page = mediator.page
    mediator.goto("/admin/")
    page.locator("#content-main a[href='/admin/disputes/appeal/']").first.click()
    mediator.step("admin-appeal-queue")
    page.get_by_role("link", name=order.number).click()
    mediator.step("admin-appeal")
    page.get_by_role("link", name="Answer").click()
    page.get_by_label("Decision upheld").check()
    page.get_by_label("Reason for the answer").select_option("item_as_described")
    page.get_by_label("Answer to both parties").fill(ANSWER)
    mediator.step("admin-answer")
    page.get_by_role("button", name="Send the answer").click()
    expect(page.get_by_text("The answer is recorded and both parties are told.")).to_be_visible()
