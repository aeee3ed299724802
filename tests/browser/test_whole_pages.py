"""An htmx request that does not get its fragment leads to a whole page, never a page in one.

Two tabs of one wizard, an expired session, a file removed twice: the buyer sees the order
page, the login page or the error page as the whole window, with one header and one bottom
bar, not nested inside the wizard or the evidence panel.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, corpus_file, ready
from tests.disputes.builders import disputable_order
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESCRIPTION = "The left earbud makes no sound at all, even after a full charge."
PHOTO = "good/png_photo_hopper.png"


def expect_step(page, number):
    expect(page.locator("#wizard h2")).to_contain_text(f"Step {number} of 4")
    ready(page.locator("#wizard"))


def walk_to(page, step):
    """From step 1 of the wizard to ``step`` ("details" or "review"), through htmx."""
    expect_step(page, 1)
    page.get_by_label("Item defective or damaged").check()
    page.get_by_role("button", name="Next").click()
    expect_step(page, 2)
    page.get_by_label("Full refund").check()
    page.get_by_role("button", name="Next").click()
    expect_step(page, 3)
    page.get_by_label("Describe the problem").fill(DESCRIPTION)
    if step == "review":
        page.get_by_role("button", name="Next").click()
        expect_step(page, 4)


def alice_in_the_wizard(open_visit):
    """Alice, signed in on a phone, on the first step of the wizard of a disputable order."""
    order = disputable_order(make_user("alice"))
    buyer = open_visit("buyer", viewport=PHONE)
    buyer.log_in("alice")
    wizard_path = f"/orders/{order.number}/dispute/"
    buyer.goto(wizard_path)
    return buyer, order, wizard_path


def expect_one_whole_page(page):
    """One page: one header, one main, no wizard left around it."""
    expect(page.locator("header.site-header")).to_have_count(1)
    expect(page.locator("main")).to_have_count(1)
    expect(page.locator("#wizard")).to_have_count(0)


def test_submitting_in_a_second_tab_after_the_first_shows_the_whole_order_page(open_visit):
    first, order, wizard_path = alice_in_the_wizard(open_visit)
    walk_to(first.page, "review")

    second = first.new_tab()
    second.goto(wizard_path)
    expect_step(second.page, 4)

    first.page.get_by_role("button", name="Submit dispute").click()
    expect(first.page).to_have_url(re.compile(r"/disputes/\d+/$"))

    second.page.get_by_role("button", name="Submit dispute").click()
    expect(second.page).to_have_url(re.compile(rf"/orders/{order.number}/$"))
    expect_one_whole_page(second.page)
    expect(second.page.locator("nav.bottom-bar")).to_have_count(1)
    expect(second.page.locator(".open-dispute")).to_be_visible()
    second.step("second-tab-submitted")


def test_an_upload_after_the_session_expired_logs_in_again_and_comes_back(open_visit):
    buyer, _order, wizard_path = alice_in_the_wizard(open_visit)
    page = buyer.page
    walk_to(page, "details")

    page.context.clear_cookies(name="sessionid")
    ready(page.locator("#evidence-panel")).get_by_label("Add photos or videos").set_input_files(
        corpus_file(PHOTO)
    )

    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=" + re.escape(wizard_path)))
    expect_one_whole_page(page)
    buyer.step("session-expired-login")
    page.locator("#id_username").fill("alice")
    page.locator("#id_password").fill("correct-horse-battery")
    page.locator("#id_password").press("Enter")
    expect(page).to_have_url(re.compile(re.escape(wizard_path) + "$"))
    expect_step(page, 1)
    buyer.step("session-expired-back-to-wizard")


def test_removing_a_file_another_tab_removed_shows_the_whole_error_page(open_visit):
    first, _order, wizard_path = alice_in_the_wizard(open_visit)
    walk_to(first.page, "details")
    panel = first.page.locator("#evidence-panel")
    ready(panel).get_by_label("Add photos or videos").set_input_files(corpus_file(PHOTO))
    expect(first.page.locator(".evidence-item")).to_have_count(1)

    second = first.new_tab()
    second.goto(wizard_path)
    expect(second.page.locator(".evidence-item")).to_have_count(1)
    ready(second.page.locator("#evidence-panel"))

    ready(panel).get_by_role("button", name="Remove png_photo_hopper.png").click()
    expect(first.page.locator(".evidence-item")).to_have_count(0)
    second.page.get_by_role("button", name="Remove png_photo_hopper.png").click()

    # The site's 404 page, whole, in its layout and with a way back.
    expect(second.page.get_by_role("heading", level=1)).to_have_text(
        "This page does not exist, or is not yours to see"
    )
    expect(second.page).to_have_title("Page not found · Dispute centre")
    expect(second.page.locator("#wizard")).to_have_count(0)
    expect(second.page.locator("header.site-header")).to_have_count(1)
    expect(second.page.get_by_role("link", name="Go to My account")).to_be_visible()
    second.shot("removed-twice-not-found")
