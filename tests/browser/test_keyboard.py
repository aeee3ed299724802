"""The dispute wizard completed with the keyboard alone: Tab, arrows, Space and Enter."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, corpus_file, ready
from tests.disputes.builders import disputable_order
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESCRIPTION = "The screen flickers and the left speaker makes no sound at all."
MAX_TABS = 80


def expect_step(page, number):
    """The wizard shows step ``number``, live (htmx swaps steps in place: no page load).

    A swapped-in step is wired up, and its heading takes focus, only when it settles: keys
    pressed before then would go to the old focus, or be moved away from the new one.
    """
    expect(page.locator("#wizard h2")).to_contain_text(f"Step {number} of 4")
    ready(page.locator("#wizard"))


def tab_to(page, selector):
    """Press Tab until the focused element matches ``selector``; fail if it never does."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"Tab never reached {selector}")


def test_wizard_completed_with_the_keyboard_alone(open_visit, evidence_root):
    alice = make_user("alice")
    order = disputable_order(alice)
    buyer = open_visit("buyer", viewport=DESKTOP)
    buyer.log_in("alice")
    buyer.goto(f"/orders/{order.number}/")
    page = buyer.page

    tab_to(page, f"a[href='/orders/{order.number}/dispute/']")
    page.keyboard.press("Enter")
    expect_step(page, 1)

    # Step 1: Tab into the reasons, an arrow moves the choice, Enter on Next goes on.
    tab_to(page, "input[type=radio]")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Item defective or damaged")).to_be_checked()
    tab_to(page, "button.button--primary")
    page.keyboard.press("Enter")
    expect_step(page, 2)

    # Step 2: partial refund; Enter in the amount field submits the step (Next comes first).
    tab_to(page, "input[type=radio]")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Partial refund")).to_be_checked()
    tab_to(page, "input[name='refund-requested_amount']")
    page.keyboard.type("4.00")
    page.keyboard.press("Enter")
    expect_step(page, 3)

    # Step 3: a description and a photo chosen from the keyboard-opened file chooser.
    tab_to(page, "textarea")
    page.keyboard.type(DESCRIPTION)
    tab_to(page, "#evidence-input")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(corpus_file("good/png_photo_hopper.png"))
    expect(page.locator(".evidence-item__name")).to_have_text(["png_photo_hopper.png"])
    ready(page.locator("#evidence-panel"))
    buyer.step("keyboard-evidence")

    # Back keeps the answers of both steps.
    tab_to(page, "button[name=wizard_goto_step]")
    page.keyboard.press("Enter")
    expect_step(page, 2)
    expect(page.get_by_label("Partial refund")).to_be_checked()
    expect(page.get_by_label("Amount you ask for")).to_have_value("4.00")
    tab_to(page, "button.button--primary")
    page.keyboard.press("Enter")
    expect_step(page, 3)
    expect(page.get_by_label("Describe the problem")).to_have_value(DESCRIPTION)
    expect(page.locator(".evidence-item__name")).to_have_text(["png_photo_hopper.png"])
    tab_to(page, "button.button--primary")
    page.keyboard.press("Space")

    # Step 4: review, then submit with Enter.
    expect_step(page, 4)
    expect(page.locator("dl.review")).to_contain_text("Partial refund: €4.00")
    buyer.step("keyboard-review")
    tab_to(page, "button.button--primary")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/disputes/\d+/$"))
    expect(page.locator("#status-heading")).to_contain_text("Open")
    expect(page.locator(".evidence-gallery span")).to_have_text(["png_photo_hopper.png"])
    buyer.step("keyboard-dispute")
