"""Disputes out: the events feed and the disputes that changed, from a cursor, and one
dispute with its stage, deadlines, request, offers and outcome."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from api import webhook_types
from api.models import WebhookDelivery
from disputes import actions
from disputes.models import DisputeEvent, Party
from orders.receipts import confirm_receipt
from tests.disputes.builders import (
    OFFER,
    agreed_dispute,
    answerable_dispute,
    answerable_dispute_at,
    appealed_dispute,
    information_requested_dispute,
    make_mediator,
    offered_dispute,
    open_dispute,
    seller_of,
)
from tests.factories import make_order

pytestmark = pytest.mark.django_db


def read_all(api, path, limit):
    """Every item of a feed, page by page, and the cursor it ends at."""
    items, cursor = [], "0"
    while True:
        page = api.get(path, after=cursor, limit=limit).json()
        items += page["results"]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return items, cursor


def test_the_events_feed_pages_in_a_stable_order_and_resumes_from_its_cursor(api, buyer):
    offered_dispute(buyer)
    agreed_dispute(buyer)
    events, cursor = read_all(api, "/events/", limit=2)
    assert [event["id"] for event in events] == [
        f"dispute-event-{pk}"
        for pk in DisputeEvent.objects.order_by("pk").values_list("pk", flat=True)
    ]
    assert [event["kind"] for event in events] == [
        "opened",
        "offer_made",
        "opened",
        "seller_accepted",
        "refund_instructed",
    ]
    assert events[1]["actor"] == "seller"
    assert events[1]["details"] == {"amount": str(OFFER)}
    assert events[3]["details"] == {"refund_amount": "12.99"}

    assert api.get("/events/", after=cursor).json() == {
        "results": [],
        "next_cursor": cursor,
        "has_more": False,
    }
    answerable_dispute(buyer)
    assert [e["kind"] for e in api.get("/events/", after=cursor).json()["results"]] == ["opened"]


def test_events_show_no_file_names_and_no_message_ids(api, buyer):
    dispute = answerable_dispute(buyer)
    actions.post_message(dispute=dispute, author=buyer, body="Here is another photo.")
    message = api.get("/events/").json()["results"][-1]
    assert message["kind"] == "message"
    assert message["details"] == {}
    assert api.get("/events/").json()["results"][0]["details"] == {
        "reason": "defective",
        "refund_request": "full",
        "requested_amount": None,
    }


def test_a_deadline_is_an_event_without_actor(api, buyer):
    dispute = answerable_dispute_at(buyer, opened=timezone.now() - timedelta(days=6))
    actions.act_on_deadline(dispute_id=dispute.pk)
    escalated = api.get("/events/").json()["results"][-1]
    assert (escalated["kind"], escalated["actor"]) == ("escalated", None)
    assert escalated["details"] == {"reason": "seller_did_not_answer"}


def test_each_actor_is_the_same_party_in_the_feed_the_dispute_and_its_webhooks(
    api, marketplace, buyer
):
    marketplace.webhook_types = [kind for kind, _label in webhook_types.choices()]
    marketplace.save(update_fields=["webhook_types"])
    dispute = information_requested_dispute(buyer, party=Party.SELLER)
    feed = api.get("/events/").json()["results"]
    detail = api.get(f"/disputes/{dispute.pk}/").json()["events"]
    webhooks = [
        json.loads(delivery.body)["data"]["event"]
        for delivery in WebhookDelivery.objects.order_by("pk")
    ]
    actors = [(event["kind"], event["actor"]) for event in feed]
    assert actors == [
        ("opened", "buyer"),
        ("seller_refused", "seller"),
        ("escalated", "seller"),  # by refusing
        ("information_requested", "mediator"),
        ("message", "mediator"),  # the request's text
    ]
    assert [(event["kind"], event["actor"]) for event in detail] == actors
    assert [(event["kind"], event["actor"]) for event in webhooks] == actors


def test_the_feed_waits_for_events_to_settle(api, buyer, settings):
    settings.API_FEED_SETTLE_SECONDS = 60
    old = open_dispute(buyer, now=timezone.now() - timedelta(minutes=5))
    answerable_dispute(buyer)  # now: not settled yet
    late = actions.cancel_dispute(dispute=old, buyer=buyer, now=timezone.now() - timedelta(hours=1))
    # The cancellation is older but came after a young event: it waits behind it.
    page = api.get("/events/").json()
    assert [event["kind"] for event in page["results"]] == ["opened", "escalated"]
    assert late.status == "cancelled"
    settings.API_FEED_SETTLE_SECONDS = 0
    rest = api.get("/events/", after=page["next_cursor"]).json()["results"]
    assert [event["kind"] for event in rest] == ["opened", "cancelled"]


def test_the_disputes_list_gives_each_dispute_once_at_its_last_change(api, buyer):
    first = answerable_dispute(buyer)
    second = answerable_dispute(buyer)
    actions.make_offer(dispute=first, seller=seller_of(first), amount=OFFER)
    page = api.get("/disputes/").json()
    assert [item["id"] for item in page["results"]] == [second.pk, first.pk]
    assert page["results"][1]["stage"] == "offer_waiting_for_buyer"
    assert page["results"][1]["offer_amount"] == "5.00"
    assert page["next_cursor"] == page["results"][-1]["cursor"]

    actions.accept_offer(dispute=first, buyer=buyer)
    changed = api.get("/disputes/", after=page["next_cursor"]).json()["results"]
    assert [item["id"] for item in changed] == [first.pk]
    assert changed[0]["outcome"]["by_agreement"] is True
    assert changed[0]["outcome"]["refund_amount"] == "5.00"
    assert changed[0]["outcome"]["decided_by"] == "buyer"


def test_the_disputes_list_waits_for_events_to_settle(api, buyer, settings):
    settings.API_FEED_SETTLE_SECONDS = 60
    old = open_dispute(buyer, now=timezone.now() - timedelta(minutes=5))
    young = answerable_dispute(buyer)
    actions.cancel_dispute(dispute=old, buyer=buyer, now=timezone.now() - timedelta(hours=1))
    # The old dispute, at its last event before the young one; its cancellation waits.
    page = api.get("/disputes/").json()
    assert [(item["id"], item["status"]) for item in page["results"]] == [(old.pk, "cancelled")]
    waiting = old.events.order_by("pk")
    assert page["next_cursor"] == str(waiting.filter(kind="escalated").get().pk)
    settings.API_FEED_SETTLE_SECONDS = 0
    rest = api.get("/disputes/", after=page["next_cursor"]).json()["results"]
    assert [(item["id"], item["cursor"]) for item in rest] == [
        (young.pk, str(young.events.order_by("pk").last().pk)),
        (old.pk, str(waiting.last().pk)),
    ]


def test_the_disputes_list_pages(api, buyer):
    ids = [answerable_dispute(buyer).pk for _ in range(5)]
    items, _cursor = read_all(api, "/disputes/", limit=2)
    assert [item["id"] for item in items] == ids


def test_one_dispute_with_its_stage_deadline_offers_and_requests(api, buyer):
    dispute = information_requested_dispute(buyer, party=Party.SELLER)
    data = api.get(f"/disputes/{dispute.pk}/").json()
    assert data["status"] == "open"
    assert data["stage"] == "information_requested"
    assert data["information_requested_from"] == "seller"
    assert data["next_step"]["actor"] == "seller"
    assert data["next_step"]["enforced"] is True
    assert data["next_step"]["deadline"] == dispute.stage_deadline.isoformat().replace(
        "+00:00", "Z"
    )
    assert data["escalation"]["reason"] == "seller_refused"
    assert data["information_requests"][0]["party"] == "seller"
    assert data["request"] == {"refund_request": "full", "requested_amount": None}
    assert data["order"]["number"] == dispute.order.number
    assert data["outcome"] is None
    assert [event["kind"] for event in data["events"]] == [
        "opened",
        "seller_refused",
        "escalated",
        "information_requested",
        "message",  # the question, in the conversation
    ]
    assert "statement" not in str(data).lower()


def test_a_decided_and_appealed_dispute(api, buyer):
    dispute = appealed_dispute(buyer)
    data = api.get(f"/disputes/{dispute.pk}/").json()
    assert data["status"] == "decided"
    assert data["outcome"]["outcome"] == "rejected"
    assert data["outcome"]["refund_amount"] is None
    assert data["outcome"]["decided_by"] == "mediator"
    assert data["outcome"]["by_agreement"] is False
    assert data["appeal"]["answered_at"] is None
    assert data["next_step"] == {"actor": None, "deadline": None, "enforced": False}


def test_an_offer_history(api, buyer):
    dispute = offered_dispute(buyer)
    data = api.get(f"/disputes/{dispute.pk}/").json()
    assert [offer["amount"] for offer in data["offers"]] == ["5.00"]
    assert data["next_step"]["actor"] == "buyer"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"after": "abc"}, "after"),
        ({"after": "-1"}, "after"),
        ({"after": "9" * 19}, "after"),
        ({"after": "1.2.3"}, "after"),
        ({"after": "1."}, "after"),
        ({"after": "\u0661"}, "after"),  # a digit, but not ASCII
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"page": "2"}, "page"),
    ],
)
@pytest.mark.parametrize("path", ["/events/", "/disputes/"])
def test_bad_cursors_and_limits_are_400s(api, path, params, field):
    response = api.get(path, **params)
    assert response.status_code == 400
    assert [problem["field"] for problem in response.json()["problems"]] == [field]


def test_only_the_events_feed_takes_a_cursor_with_two_positions(api):
    assert api.get("/events/", after="3.4").status_code == 200
    assert api.get("/disputes/", after="3.4").status_code == 400


def test_an_unknown_dispute_is_a_404(api):
    assert api.get("/disputes/999999/").status_code == 404
    assert api.get("/disputes/99999999999999999999999/").status_code == 404


def test_reading_the_feeds_takes_a_fixed_number_of_queries(
    api, buyer, django_assert_max_num_queries
):
    for _ in range(3):
        offered_dispute(buyer)
    make_mediator()
    # The token, then each table's page: the young events are cut from the page itself.
    with django_assert_max_num_queries(3):
        api.get("/events/")
    with django_assert_max_num_queries(5):
        api.get("/disputes/")


def test_a_confirmed_receipt_is_in_the_events_feed_with_the_id_of_its_webhook(
    api, marketplace, buyer
):
    offered_dispute(buyer)
    order = make_order(buyer, shipped_at=timezone.now() - timedelta(days=2))
    confirm_receipt(order=order, buyer=buyer)
    agreed_dispute(buyer)

    events, cursor = read_all(api, "/events/", limit=2)
    assert [event["kind"] for event in events] == [
        "opened",
        "offer_made",
        "receipt_confirmed",
        "opened",
        "seller_accepted",
        "refund_instructed",
    ]
    receipt = events[2]
    webhook = json.loads(WebhookDelivery.objects.get(kind="order.receipt_confirmed").body)
    assert receipt["id"] == webhook["id"]
    assert receipt["created_at"] == webhook["created_at"]
    assert receipt["details"]["received_at"] == webhook["data"]["received_at"]
    assert (receipt["dispute"], receipt["order"], receipt["actor"]) == (None, order.number, "buyer")
    assert receipt["details"]["received_at"].endswith("Z")

    confirm_receipt(order=make_order(buyer, shipped_at=timezone.now()), buyer=buyer)
    later = api.get("/events/", after=cursor).json()["results"]
    assert [event["kind"] for event in later] == ["receipt_confirmed"]


def test_a_cursor_from_before_receipts_were_in_the_feed_still_reads_on(api, buyer):
    offered_dispute(buyer)
    confirm_receipt(order=make_order(buyer, shipped_at=timezone.now()), buyer=buyer)
    agreed_dispute(buyer)
    first = DisputeEvent.objects.order_by("pk").first()
    page = api.get("/events/", after=str(first.pk)).json()
    assert [event["kind"] for event in page["results"]] == [
        "offer_made",
        "receipt_confirmed",
        "opened",
        "seller_accepted",
        "refund_instructed",
    ]
