"""A dispute page's conversation and timeline are cached under the rows they show
(orders.fragments): each reader gets their own words, a new message or event shows at
once, and the time left, outside them, is never stale."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from disputes import actions
from tests.disputes.builders import answerable_dispute, seller_of

pytestmark = pytest.mark.django_db


def rendered(response, name):
    return sum(template.name == name for template in response.templates)


def test_the_conversation_and_timeline_are_rendered_once_then_read_from_the_cache(log_in, buyer):
    dispute = answerable_dispute(buyer)
    actions.post_message(dispute=dispute, author=buyer, body="Photos attached.")
    client = log_in(buyer)
    first = client.get(dispute.get_absolute_url())
    again = client.get(dispute.get_absolute_url())
    # The message's date and the events' dates are no longer rendered (the request's is).
    events = dispute.events.count()
    assert rendered(first, "_datetime.html") - rendered(again, "_datetime.html") == 1 + events
    assert "Photos attached." in again.content.decode()


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
        assert "(4 days left)" in client.get(url).content.decode()

    clock += timedelta(days=2)
    for client, url in pages:
        page = client.get(url).content.decode()
        assert "(2 days left)" in page
        assert "4 days left" not in page
