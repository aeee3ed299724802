"""A dispute page's request, conversation and timeline are cached under their versions
(``disputes.pages.fragment_versions``): each reader gets their own words, a new message or
event shows at once, and the time left, outside them, is never stale."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from disputes import actions
from disputes.models import EventKind, Evidence
from tests.disputes.builders import (
    answerable_dispute,
    appealed_dispute,
    information_requested_dispute,
    make_mediator,
    seller_of,
)
from tests.disputes.test_query_counts import add_file

pytestmark = pytest.mark.django_db


def rendered(response, name):
    return sum(template.name == name for template in response.templates)


def test_the_request_conversation_and_timeline_are_rendered_once_then_read_from_the_cache(
    log_in, buyer
):
    dispute = answerable_dispute(buyer)
    actions.post_message(dispute=dispute, author=buyer, body="Photos attached.")
    client = log_in(buyer)
    first = client.get(dispute.get_absolute_url())
    again = client.get(dispute.get_absolute_url())
    # The request's date, the message's and the events' are rendered once.
    assert rendered(first, "_datetime.html") == 2 + dispute.events.count()
    assert rendered(again, "_datetime.html") == 0
    assert "Photos attached." in again.content.decode()


def test_a_change_to_the_request_or_its_files_shows_at_once(log_in, buyer):
    dispute = answerable_dispute(buyer)
    photo = add_file(dispute, buyer)
    client = log_in(buyer)
    page = client.get(dispute.get_absolute_url()).content.decode()
    assert "Waiting for the seller" in page
    assert photo.original_name in page
    actions.make_offer(dispute=dispute, seller=seller_of(dispute), amount=Decimal("5.00"))
    Evidence.objects.filter(pk=photo.pk).update(original_name="crack.jpg")
    page = client.get(dispute.get_absolute_url()).content.decode()
    assert '<span class="status">Offer waiting for the buyer</span>' in page
    assert "crack.jpg" in page
    assert photo.original_name not in page


def test_each_reader_gets_their_own_words_and_new_messages_at_once(log_in, buyer):
    dispute = answerable_dispute(buyer)
    seller = seller_of(dispute)
    buyer_client, seller_client = log_in(buyer), log_in(seller)
    seller_url = reverse("disputes:seller_detail", args=[dispute.pk])
    actions.post_message(dispute=dispute, author=buyer, body="It broke on day two.")

    buyers_page = buyer_client.get(dispute.get_absolute_url()).content.decode()
    sellers_page = seller_client.get(seller_url).content.decode()
    assert "<strong>You</strong>" in buyers_page
    assert "<strong>The buyer</strong>" in sellers_page
    assert "<strong>You</strong>" not in sellers_page

    actions.post_message(dispute=dispute, author=seller, body="Please send a photo.")
    buyers_page = buyer_client.get(dispute.get_absolute_url()).content.decode()
    assert "Please send a photo." in buyers_page
    assert "<strong>The seller</strong>" in buyers_page
    # The message is on the timeline too, as soon as it is sent.
    assert buyers_page.count("by the seller") == sellers_page.count("by you") + 1


def test_the_time_left_is_never_stale(log_in, buyer, monkeypatch):
    dispute = answerable_dispute(buyer)
    clock = dispute.stage_started_at + timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: clock)
    seller_client = log_in(seller_of(dispute))
    buyer_client = log_in(buyer)
    pages = [
        (buyer_client, dispute.get_absolute_url()),
        (seller_client, reverse("disputes:seller_detail", args=[dispute.pk])),
        (seller_client, reverse("disputes:seller_list")),
    ]
    for client, url in pages:
        assert "(4 days 23 hours left)" in client.get(url).content.decode()

    clock += timedelta(days=2)
    for client, url in pages:
        page = client.get(url).content.decode()
        assert "(2 days 23 hours left)" in page
        assert "4 days 23 hours left" not in page


def test_every_message_a_party_reads_has_its_own_event(buyer):
    # The conversation is cached under the newest event (disputes.pages.fragment_versions):
    # a message written without one would leave it stale.
    dispute = information_requested_dispute(buyer)  # the mediator's question is a message
    actions.post_message(dispute=dispute, author=seller_of(dispute), body="Here it is.")
    actions.post_message(dispute=dispute, author=buyer, body="Thanks.")
    actions.post_message(dispute=dispute, author=make_mediator(), body="Noted.", internal=True)
    read = dispute.messages.filter(internal=False).values_list("pk", flat=True)
    recorded = dispute.events.filter(kind=EventKind.MESSAGE)
    assert len(read) == 3
    assert sorted(event.details["message"] for event in recorded) == sorted(read)


def test_the_first_message_replaces_no_messages_yet_at_once(log_in, buyer):
    dispute = answerable_dispute(buyer)
    client = log_in(seller_of(dispute))
    url = reverse("disputes:seller_detail", args=[dispute.pk])
    assert "No messages yet." in client.get(url).content.decode()
    actions.post_message(dispute=dispute, author=buyer, body="It broke on day two.")
    page = client.get(url).content.decode()
    assert "It broke on day two." in page
    assert "No messages yet." not in page


def test_the_appeals_files_are_shown_with_the_appeal_only(log_in, buyer):
    dispute = appealed_dispute(buyer)
    request_photo = add_file(dispute, buyer)
    appeal_photo = add_file(dispute, buyer)
    Evidence.objects.filter(pk=appeal_photo.pk).update(dispute=None, appeal=dispute.appeal)
    page = log_in(buyer).get(dispute.get_absolute_url()).content.decode()
    # The decision and the appeal come first, then the request and its evidence.
    appeal, request = page.split("<h3>Your request</h3>")
    assert "Your appeal" in appeal
    assert appeal_photo.original_name in appeal
    assert appeal_photo.original_name not in request
    assert request_photo.original_name in request
    assert request_photo.original_name not in appeal


def test_once_cached_the_messages_and_events_are_not_read_again(log_in, buyer):
    dispute = answerable_dispute(buyer)
    for _ in range(3):
        actions.post_message(dispute=dispute, author=buyer, body="Photos attached.")
    client = log_in(buyer)
    client.get(dispute.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        page = client.get(dispute.get_absolute_url()).content.decode()
    # The newest event's id is read with the dispute (a subquery), not their rows.
    read = [query["sql"] for query in queries]
    assert not [sql for sql in read if sql.startswith('SELECT "disputes_disputemessage"')]
    assert not [sql for sql in read if sql.startswith('SELECT "disputes_disputeevent"')]
    assert page.count("Photos attached.") == 3


def test_a_new_event_shows_at_once_and_an_internal_note_never(log_in, buyer):
    dispute = answerable_dispute(buyer)
    client = log_in(buyer)
    assert (
        "Seller offered a partial refund"
        not in client.get(dispute.get_absolute_url()).content.decode()
    )
    actions.make_offer(dispute=dispute, seller=seller_of(dispute), amount=Decimal("5.00"))
    actions.post_message(dispute=dispute, author=make_mediator(), body="Noted.", internal=True)
    page = client.get(dispute.get_absolute_url()).content.decode()
    assert "Seller offered a partial refund" in page
    assert "Noted." not in page


def test_a_change_to_a_messages_file_shows_at_once(log_in, buyer):
    dispute = answerable_dispute(buyer)
    message = actions.post_message(dispute=dispute, author=buyer, body="See the photo.")
    photo = add_file(dispute, buyer, message=message)
    client = log_in(seller_of(dispute))
    url = reverse("disputes:seller_detail", args=[dispute.pk])
    assert photo.original_name in client.get(url).content.decode()
    Evidence.objects.filter(pk=photo.pk).update(original_name="crack.jpg")
    page = client.get(url).content.decode()
    assert "crack.jpg" in page
    assert photo.original_name not in page
