"""The partial refund's amount in a real browser: asked only while Partial refund is chosen."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.disputes.builders import DESCRIPTION, disputable_order
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_amount_is_asked_only_while_partial_refund_is_chosen(open_visit, evidence_root):
    alice = make_user("alice")
    order = disputable_order(alice)
    buyer = open_visit("buyer", viewport=PHONE)
    buyer.log_in("alice")
    buyer.goto(f"/orders/{order.number}/dispute/")
    page = buyer.page
    page.get_by_label("Item defective or damaged").check()
    page.get_by_role("button", name="Next").click()

    amount = page.get_by_label("Amount you ask for")
    expect(page.get_by_label("Full refund")).to_be_visible()
    expect(amount).to_be_hidden()
    page.get_by_label("Full refund").check()
    expect(amount).to_be_hidden()
    buyer.step("full-refund")

    page.get_by_label("Partial refund").check()
    expect(amount).to_be_visible()
    # A phone shows a keypad of figures, and the hint writes the price as the page does.
    expect(amount).to_have_attribute("inputmode", "decimal")
    expect(page.locator(".refund-amount")).to_contain_text("less than €12.99.")
    # An English page takes the decimal comma of a phone set to another region.
    amount.fill("5,50")
    buyer.step("partial-refund")
    page.get_by_role("button", name="Next").click()

    expect(page.locator("#wizard h2")).to_contain_text("Step 3 of 4")
    page.get_by_label("Describe the problem").fill(DESCRIPTION)
    page.get_by_role("button", name="Next").click()
    expect(page.locator("dl.review")).to_contain_text("Partial refund: €5.50")

    # Back on the step (an htmx swap), the amount is there again with Partial refund.
    heading = page.locator("#wizard h2")
    page.get_by_role("button", name="Back").click()
    expect(heading).to_contain_text("Step 3 of 4")
    page.get_by_role("button", name="Back").click()
    expect(heading).to_contain_text("Step 2 of 4")
    expect(page.get_by_label("Partial refund")).to_be_checked()
    expect(amount).to_be_visible()
    expect(amount).to_have_value("5,50")
    page.get_by_label("Full refund").check()
    expect(amount).to_be_hidden()
    buyer.step("back-to-full-refund")
