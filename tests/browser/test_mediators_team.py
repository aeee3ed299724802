"""A mediator of a team in the admin: finds the dispute with new information, gives it to a
colleague from the queue, marks the news read, writes to both parties from a saved reply,
and opens the statistics. Every page is screenshotted and checked with axe."""

import pytest
from playwright.sync_api import expect

from disputes import actions
from disputes.models import SavedReply
from tests.browser.conftest import DESKTOP
from tests.disputes.builders import refused_dispute
from tests.factories import make_mediator, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_mediator_shares_the_work_and_answers_from_a_saved_reply(open_visit):
    make_mediator()
    make_mediator("colleague")
    buyer = make_user("alice")
    dispute = refused_dispute(buyer)
    actions.post_message(dispute=dispute, author=buyer, body="Here is the receipt.")
    SavedReply.objects.create(
        title="Thanks for the receipt",
        body_en="Thank you: we have what we need for order {order_number}.",
        body_fr="Merci : nous avons ce qu’il faut pour la commande {order_number}.",  # noqa: RUF001
    )
    number = dispute.order.number

    mediator = open_visit("mediator", viewport=DESKTOP)
    mediator.log_in("mediator", admin=True)
    page = mediator.page
    mediator.goto("/admin/disputes/dispute/")
    page.get_by_role("link", name="New information", exact=True).click()
    expect(page.locator("#result_list")).to_contain_text(number)
    mediator.step("queue-new-information")

    page.locator("#result_list input[name='_selected_action']").first.check()
    page.locator("select[name='action']").select_option("assign_to_mediator")
    page.get_by_role("button", name="Run").click()
    page.get_by_label("Assign to").select_option(label="colleague")
    mediator.step("assign-to-a-colleague")
    page.get_by_role("button", name="Assign").click()
    expect(page.locator(".messagelist")).to_contain_text("1 dispute assigned.")
    mediator.step("assigned")

    page.get_by_role("link", name=number).click()
    expect(page.locator(".messagelist")).to_have_count(0)
    page.get_by_role("button", name="Mark as read").click()
    expect(page.locator(".messagelist")).to_contain_text("marked read")
    expect(page.get_by_role("button", name="Mark as read")).to_have_count(0)
    expect(page.locator("#content-main")).to_contain_text("Assigned the dispute to colleague")
    mediator.step("dispute-read")

    page.get_by_role("link", name="Write to both parties").click()
    page.get_by_label("Saved reply").select_option(label="Thanks for the receipt")
    page.get_by_role("button", name="Fill in the saved reply").click()
    expect(page.get_by_label("Message to both parties")).to_have_value(
        f"Thank you: we have what we need for order {number}."
    )
    mediator.step("saved-reply-filled")
    page.get_by_role("button", name="Send the message").click()
    expect(page.locator(".messagelist")).to_contain_text("The message is in the conversation")

    mediator.goto("/admin/disputes/dispute/")
    page.get_by_role("link", name="Statistics").click()
    expect(page.locator("#sellers")).to_contain_text(dispute.order.seller.name)
    mediator.step("statistics")
