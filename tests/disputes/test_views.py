from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from disputes.models import DisputeStatus
from disputes.parties import Party
from tests.disputes.builders import (
    answerable_dispute,
    appealed_dispute,
    cancelled_dispute,
    decided_dispute,
    disputable_order,
    information_requested_dispute,
    offered_dispute,
    open_dispute,
)
from tests.factories import make_order

pytestmark = pytest.mark.django_db


def order_page(client, order):
    return client.get(reverse("orders:detail", args=[order.number])).content.decode()


def test_order_page_offers_open_dispute_with_the_deadline(buyer_client, buyer):
    content = order_page(buyer_client, disputable_order(buyer))
    assert "Open dispute" in content
    assert "You can do this until" in content
    assert "left)" in content


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        ({}, ["The seller has not confirmed shipment yet."]),
        (
            {"shipped_at": 3},
            [
                "The seller confirmed shipment on",
                "A dispute can be opened from",
                "still in transit",
            ],
        ),
        ({"shipped_at": 30, "received_at": 20}, ["The time to open a dispute ended on"]),
    ],
)
def test_order_page_explains_every_reason(buyer_client, buyer, dates, expected):
    now = timezone.now()
    order = make_order(buyer, **{name: now - timedelta(days=days) for name, days in dates.items()})
    content = order_page(buyer_client, order)
    assert "Open dispute" not in content
    for sentence in expected:
        assert sentence in content


def test_order_page_links_to_the_open_dispute(buyer_client, buyer):
    dispute = open_dispute(buyer)
    content = order_page(buyer_client, dispute.order)
    assert 'class="open-dispute"' in content
    assert reverse("disputes:detail", args=[dispute.pk]) in content
    assert "A dispute cannot be opened on this order now." not in content
    assert 'class="reasons"' not in content


def test_an_offer_waiting_for_the_buyer_shows_on_the_order_page_as_their_turn(
    buyer_client, buyer, monkeypatch
):
    dispute = offered_dispute(buyer)
    monkeypatch.setattr(timezone, "now", lambda: dispute.stage_started_at + timedelta(hours=1))
    content = order_page(buyer_client, dispute.order)
    assert "Your dispute on this order is open: Offer waiting for the buyer." in content
    assert "next-step--yours" in content
    assert "accept the seller's offer or ask for mediation by" in content
    assert "(4 days 23 hours left)" in content
    assert f'href="{dispute.get_absolute_url()}"' in content


def test_the_order_page_tells_the_buyer_who_acts_when_it_is_not_them(buyer_client, buyer):
    dispute = answerable_dispute(buyer)
    content = order_page(buyer_client, dispute.order)
    assert "Waiting for the seller: they have until" in content
    assert "next-step--yours" not in content


def test_a_question_to_the_buyer_on_the_order_page_leads_to_the_conversation(buyer_client, buyer):
    dispute = information_requested_dispute(buyer, party=Party.BUYER)
    content = order_page(buyer_client, dispute.order)
    assert "A mediator asked you for information" in content
    assert f'href="{dispute.get_absolute_url()}#conversation"' in content


def order_page_queries(client, order):
    with CaptureQueriesContext(connection) as queries:
        order_page(client, order)
    return len(queries)


def test_an_open_disputes_stage_costs_the_order_page_no_query(buyer_client, buyer):
    undisputed = make_order(buyer)
    order_page(buyer_client, undisputed)  # the session's first read, counted apart
    without = order_page_queries(buyer_client, undisputed)
    disputed = offered_dispute(buyer).order
    for _ in range(20):
        make_order(buyer)
    assert order_page_queries(buyer_client, disputed) == without


def test_the_order_page_of_an_open_dispute_in_french(buyer_client, buyer):
    dispute = offered_dispute(buyer)
    content = buyer_client.get(
        reverse("orders:detail", args=[dispute.order.number]), headers={"accept-language": "fr"}
    ).content.decode()
    assert "Votre litige sur cette commande est ouvert" in content
    assert "Voir le litige ouvert" in content


def test_order_page_offers_reopen_after_cancelling(buyer_client, buyer):
    dispute = cancelled_dispute(buyer)
    content = order_page(buyer_client, dispute.order)
    assert "Reopen dispute" in content
    assert reverse("disputes:reopen", args=[dispute.pk]) in content


def test_decided_against_the_buyer_offers_customer_service(buyer_client, buyer):
    dispute = decided_dispute(buyer)
    content = order_page(buyer_client, dispute.order)
    assert "contact customer service to appeal" in content
    page = buyer_client.get(dispute.get_absolute_url()).content.decode()
    assert "cannot be reopened" in page
    assert "Contact customer service" in page
    assert "Reopen dispute" not in page


def test_dispute_page_shows_request_and_timeline(buyer_client, buyer):
    dispute = open_dispute(buyer)
    content = buyer_client.get(dispute.get_absolute_url()).content.decode()
    assert "Item defective or damaged" in content
    assert "Dispute opened" in content
    assert "Cancel dispute" in content
    assert "you can reopen this dispute until" in content


def test_cancel_is_a_post(buyer_client, buyer):
    dispute = open_dispute(buyer)
    url = reverse("disputes:cancel", args=[dispute.pk])
    assert buyer_client.get(url).status_code == 405
    response = buyer_client.post(url)
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.CANCELLED


def test_cancel_needs_the_csrf_token(client, buyer):
    from django.test import Client

    dispute = open_dispute(buyer)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(buyer)
    assert strict.post(reverse("disputes:cancel", args=[dispute.pk])).status_code == 403
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.OPEN


@pytest.mark.parametrize(
    ("make", "url_name", "method"),
    [
        (open_dispute, "disputes:detail", "get"),
        (open_dispute, "disputes:cancel", "post"),
        (cancelled_dispute, "disputes:reopen", "get"),
        (decided_dispute, "disputes:appeal", "get"),
        (decided_dispute, "disputes:appeal", "post"),
    ],
)
def test_another_buyers_dispute_is_not_found(client, buyer, other_buyer, make, url_name, method):
    dispute = make(buyer)
    client.force_login(other_buyer)
    response = getattr(client, method)(reverse(url_name, args=[dispute.pk]))
    assert response.status_code == 404


def test_another_buyers_order_cannot_get_a_wizard(client, buyer, other_buyer):
    order = disputable_order(buyer)
    client.force_login(other_buyer)
    assert client.get(reverse("disputes:open", args=[order.number])).status_code == 404


def test_appeal_is_sent_and_its_answer_shown(buyer_client, buyer):
    dispute = decided_dispute(buyer)
    url = reverse("disputes:appeal", args=[dispute.pk])
    response = buyer_client.post(url, {"message": "Wrong model."})
    assert response.status_code == 200
    assert "Ensure this value has at least" in response.content.decode()
    response = buyer_client.post(
        url, {"message": "The seller shipped a different model; see the label in my photos."}
    )
    assert response.status_code == 302
    page = buyer_client.get(dispute.get_absolute_url()).content.decode()
    assert "Your appeal" in page
    assert "Contact customer service" not in page


def test_answered_appeal_is_shown_to_the_buyer(buyer_client, buyer):
    from disputes import actions
    from tests.disputes.builders import make_mediator

    dispute = appealed_dispute(buyer)
    actions.answer_appeal(
        reason="item_as_described",
        appeal=dispute.appeal,
        mediator=make_mediator(),
        answer="Refund approved.",
    )
    page = buyer_client.get(dispute.get_absolute_url()).content.decode()
    assert "Refund approved." in page
