"""Where a person goes from the layout and My account (issue 26, item 17): a seller to the
disputes on their orders, a buyer to the disputes waiting for their answer."""

from datetime import timedelta

import pytest
from django.urls import reverse

from disputes.models import Dispute
from tests.disputes.builders import (
    answerable_dispute,
    information_requested_dispute,
    offered_dispute,
    seller_of,
)
from tests.disputes.test_notifications import shown

PASSWORD = "correct-horse-battery"  # what tests.factories.make_user sets

pytestmark = pytest.mark.django_db

SELLER_LIST = reverse("disputes:seller_list")
HOUR = timedelta(hours=1)


def signed_in(client, user):
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    return client


def test_a_sellers_navigation_leads_to_the_disputes_on_their_orders(client, buyer):
    seller = seller_of(answerable_dispute(buyer))
    page = signed_in(client, seller).get(reverse("orders:account")).content.decode()
    assert page.count(f'href="{SELLER_LIST}"') == 3  # top, bottom bar, and the section


def test_the_sellers_pages_mark_disputes_as_the_current_section(client, buyer):
    seller = seller_of(answerable_dispute(buyer))
    page = signed_in(client, seller).get(SELLER_LIST).content.decode()
    assert f'<a href="{SELLER_LIST}" aria-current="true">' in page
    assert page.count("aria-current") == 1


def test_a_buyer_who_sells_nothing_has_no_disputes_link(buyer_client, buyer):
    answerable_dispute(buyer)
    page = buyer_client.get(reverse("orders:account")).content.decode()
    assert SELLER_LIST not in page


def test_my_account_lists_the_disputes_waiting_for_the_buyer(buyer_client, buyer):
    offered = offered_dispute(buyer)
    asked = information_requested_dispute(buyer, party="buyer")
    answerable_dispute(buyer)  # waits for its seller: not listed

    page = buyer_client.get(reverse("orders:account")).content.decode()

    assert "2 disputes wait for your answer" in page
    for dispute in (offered, asked):
        assert f'href="{dispute.get_absolute_url()}"' in page
        assert f"answer by {shown(dispute.stage_deadline, 'en')}" in page


def test_my_account_lists_the_disputes_waiting_for_the_buyer_soonest_deadline_first(
    buyer_client, buyer
):
    later = offered_dispute(buyer)
    sooner = information_requested_dispute(buyer, party="buyer")
    Dispute.objects.filter(pk=sooner.pk).update(stage_deadline=later.stage_deadline - HOUR)

    page = buyer_client.get(reverse("orders:account")).content.decode()

    assert page.index(sooner.get_absolute_url()) < page.index(later.get_absolute_url())


def test_my_account_shows_no_block_when_nothing_waits_for_the_buyer(buyer_client, buyer):
    answerable_dispute(buyer)
    assert (
        "wait for your answer" not in buyer_client.get(reverse("orders:account")).content.decode()
    )
