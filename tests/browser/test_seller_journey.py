"""The three-party dispute in a real browser: the seller answers, the buyer decides.

The seller finds the dispute from My account, writes in the conversation with a photo,
and offers a partial refund, which the buyer accepts after reading what accepting means.
On a second dispute the seller refuses with a statement and evidence (a refused file
named, the accepted one kept) and the buyer reads the refusal. Every page is
screenshotted and checked with axe.
"""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, corpus_file
from tests.disputes.builders import answerable_dispute, make_seller_account
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MESSAGE = "We can send a replacement cable today if you prefer; here is the one we ship."
STATEMENT = "The cable in the buyer's photos is not ours: ours is braided and black, see photo."


@pytest.mark.parametrize(
    "viewport", [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")]
)
def test_seller_answers_and_buyer_accepts_the_offer(open_visit, evidence_root, viewport):
    seller_account = make_seller_account()
    alice = make_user("alice")
    offered = answerable_dispute(
        alice, seller=seller_account, refund_request="partial", requested_amount=Decimal("9.00")
    )
    refused = answerable_dispute(make_user("bob"), seller=seller_account)

    seller = open_visit("seller", viewport=viewport)
    seller.log_in(seller_account.user.username)
    find_the_dispute(seller, offered)
    write_with_a_photo(seller)
    offer_a_partial_refund(seller)

    buyer = open_visit("buyer", viewport=viewport)
    buyer.log_in("alice")
    accept_the_offer(buyer, offered)

    seller.goto("/seller/disputes/")
    seller.page.get_by_role("link", name=re.compile(refused.order.number)).click()
    refuse_with_evidence(seller)

    bob = open_visit("bob", viewport=viewport)
    bob.log_in("bob")
    bob.goto(f"/disputes/{refused.pk}/")
    answer = bob.page.get_by_role("region", name="The seller's answer")
    expect(answer).to_contain_text(STATEMENT)
    expect(answer.locator(".evidence-gallery img")).to_have_count(1)
    expect(bob.page.get_by_text("Why the mediators have it:")).to_be_visible()
    bob.step("buyer-reads-refusal")


def find_the_dispute(seller, dispute):
    """My account → Disputes (waiting first) → the dispute, with the seller's deadline."""
    page = seller.page
    section = page.get_by_role("region", name="Disputes")
    expect(section).to_contain_text("2 disputes on your orders wait for your answer.")
    seller.step("seller-account")
    section.get_by_role("link", name="View all").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Disputes on your orders")
    expect(page.locator(".order-card__deadline")).to_have_count(2)
    seller.step("seller-list")
    page.get_by_role("link", name=re.compile(dispute.order.number)).click()
    expect(page.locator(".next-step--yours")).to_contain_text("It is your turn")
    expect(page.locator(".next-step--yours")).to_contain_text("4 days 23 hours left")
    seller.step("seller-dispute")


def write_with_a_photo(seller):
    page = seller.page
    conversation = page.get_by_role("region", name="Conversation")
    conversation.get_by_label("Your message").fill(MESSAGE)
    conversation.get_by_label("Add photos or videos").set_input_files(
        [corpus_file("good/png_photo_hopper.png")]
    )
    expect(conversation.locator(".evidence-item")).to_have_count(1)
    conversation.get_by_role("button", name="Send message").click()
    expect(page.get_by_text("Your message is sent.")).to_be_visible()
    message = page.locator(".conversation__message")
    expect(message).to_contain_text(MESSAGE)
    expect(message.locator(".evidence-gallery img")).to_have_count(1)
    seller.step("seller-message-sent")


def offer_a_partial_refund(seller):
    page = seller.page
    answers = page.get_by_role("region", name="Your answer")
    answers.get_by_label("Amount you offer").fill("9.00")
    answers.get_by_role("button", name="Offer this refund").click()
    expect(page.get_by_text("accept the request instead of offering as much")).to_be_visible()
    seller.step("seller-offer-refused")
    page.get_by_label("Amount you offer").fill("5.50")
    page.get_by_role("button", name="Offer this refund").click()
    expect(page.get_by_text("You offered a partial refund of €5.50.")).to_be_visible()
    expect(page.locator(".next-step")).to_contain_text("Waiting for the buyer")
    seller.step("seller-offered")


def accept_the_offer(buyer, dispute):
    page = buyer.page
    buyer.goto(f"/disputes/{dispute.pk}/")
    expect(page.locator(".next-step--yours")).to_contain_text("It is your turn")
    expect(page.locator(".conversation__message")).to_contain_text("The seller")
    page.locator("summary", has_text="Accept the offer").click()
    warning = page.get_by_text(
        "Accepting ends the dispute with a refund of €5.50. You cannot reopen it or appeal."
    )
    expect(warning).to_be_visible()
    buyer.step("buyer-accept-confirm")
    page.get_by_role("button", name="Yes, accept a refund of €5.50").click()
    expect(page.locator("#agreement-heading")).to_have_text("Ended by agreement: a refund of €5.50")
    expect(page.get_by_text("cannot be reopened or appealed")).to_be_visible()
    buyer.step("buyer-agreed")


def refuse_with_evidence(seller):
    page = seller.page
    page.get_by_role("link", name="Refuse the request").click()
    files = page.get_by_label("Add photos or videos")
    files.set_input_files(
        [corpus_file("good/png_photo_hopper.png"), corpus_file("bad/exe_renamed.jpg")]
    )
    expect(page.locator(".evidence-refusal")).to_contain_text("exe_renamed.jpg")
    expect(page.locator(".evidence-item")).to_have_count(1)
    page.get_by_label("Why you refuse").fill("Not ours.")
    page.get_by_role("button", name="Refuse and send to the mediators").click()
    expect(page.get_by_text("Ensure this value has at least 30 characters")).to_be_visible()
    expect(page.locator(".evidence-item")).to_have_count(1)  # nothing lost
    seller.step("seller-refusal-too-short")
    page.get_by_label("Why you refuse").fill(STATEMENT)
    page.get_by_role("button", name="Refuse and send to the mediators").click()
    expect(page.get_by_text("You refused the request")).to_be_visible()
    seller.step("seller-refused")
