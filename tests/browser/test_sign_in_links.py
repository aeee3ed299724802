"""Signing in without a password, in a real browser (PRODUCT.md §11): a buyer handed over
from the marketplace lands on her order; a seller follows his email's link and answers."""

import re

import pytest
from django.core import mail
from django.test import Client
from playwright.sync_api import expect

from api.models import ApiClient
from tests.conftest import run_tasks
from tests.disputes.builders import answerable_dispute, disputable_order, make_seller_account
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MESSAGE = "Sorry about the cable: we are sending a new one today, tracking to follow."


def test_a_buyer_handed_over_from_the_marketplace_lands_on_her_order(
    open_visit, live_server, settings
):
    settings.SITE_URL = live_server.url
    order = disputable_order(make_user("alice"))
    make_user("bob")
    buyer = open_visit("buyer")
    buyer.log_in("bob")  # someone else used this browser before

    # The marketplace's backend asks for a link, then redirects her browser to it.
    _client, token = ApiClient.create("Marketplace")
    answer = Client().post(
        "/api/v1/sign-in-links/",
        {"username": "alice", "next": f"/orders/{order.number}/"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 201
    url = answer.json()["url"]
    buyer.page.goto(url)

    expect(buyer.page.get_by_role("heading", level=1)).to_have_text(f"Order {order.number}")
    expect(buyer.page).to_have_url(re.compile(rf"/orders/{order.number}/$"))
    buyer.step("handed-over")

    buyer.page.goto(url)  # the same link again: used
    expect(buyer.page.get_by_text("This link was already used")).to_be_visible()
    # Not step(): the page is a 410, which Chromium reports as a console error.
    buyer.shot("link-used")
    buyer.check_a11y("link-used")


def test_a_seller_follows_his_emails_link_and_answers(open_visit, live_server, settings):
    settings.SITE_URL = live_server.url
    dispute = answerable_dispute(make_user("alice"), seller=make_seller_account())
    run_tasks()
    (email,) = [email for email in mail.outbox if email.to == ["szgadget@example.com"]]
    link = re.search(re.escape(live_server.url) + r"/accounts/continue/[\w-]+/", email.body)
    assert link, email.body

    seller = open_visit("seller", language="fr")
    seller.page.goto(link[0])
    continue_as = seller.page.get_by_role("button", name="Continuer en tant que szgadget")
    expect(continue_as).to_be_visible()
    seller.step("continue-as")
    continue_as.click()

    expect(seller.page).to_have_url(re.compile(rf"/seller/disputes/{dispute.pk}/$"))
    conversation = seller.page.get_by_role("region", name="Conversation")
    conversation.get_by_label("Votre message").fill(MESSAGE)
    conversation.get_by_role("button", name="Envoyer le message").click()
    expect(seller.page.locator(".conversation__message")).to_contain_text(MESSAGE)
    seller.step("answered")
