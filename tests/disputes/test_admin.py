"""The mediators' admin, used by a staff account that is not a superuser."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from disputes.admin.queue import DisputeQueueAdmin, QueuePaginator
from disputes.models import DisputeStatus, Outcome
from tests.conftest import corpus_upload, store_evidence
from tests.disputes.builders import cancelled_dispute, make_mediator, open_dispute
from tests.factories import make_user

pytestmark = pytest.mark.django_db

# The decide form asks the mediator to confirm.
CONFIRMED = {"confirmed": "on"}


@pytest.fixture
def mediator_client(client):
    client.force_login(make_mediator())
    return client


def dispute_with_a_photo(buyer):
    dispute = open_dispute(buyer)
    upload = corpus_upload("good/png_photo_hopper.png", "crack.png")
    store_evidence([upload], buyer, dispute.order, dispute=dispute)
    return dispute


def test_mediator_sees_the_queue_with_open_disputes_first(mediator_client, buyer):
    waiting = open_dispute(buyer)
    cancelled = cancelled_dispute(buyer)
    content = mediator_client.get(reverse("admin:disputes_dispute_changelist")).content.decode()
    assert waiting.order.number in content
    assert cancelled.order.number not in content
    everything = mediator_client.get(
        reverse("admin:disputes_dispute_changelist"), {"status": "all"}
    )
    assert cancelled.order.number in everything.content.decode()


def test_the_queue_shows_25_disputes_a_page_the_longest_waiting_first(mediator_client):
    disputes = [open_dispute(make_user(f"buyer-{index}")) for index in range(27)]
    first_page = mediator_client.get(reverse("admin:disputes_dispute_changelist"))
    shown = list(first_page.context["cl"].result_list)
    assert shown == disputes[:25]
    assert first_page.context["cl"].result_count == 27
    second_page = mediator_client.get(reverse("admin:disputes_dispute_changelist"), {"p": 2})
    assert list(second_page.context["cl"].result_list) == disputes[25:]


def test_past_its_cap_the_queue_says_more_than_and_pages_through_those(
    mediator_client, monkeypatch
):
    monkeypatch.setattr(QueuePaginator, "cap", 3)
    monkeypatch.setattr(DisputeQueueAdmin, "list_per_page", 2)
    disputes = [open_dispute(make_user(f"buyer-{index}")) for index in range(5)]
    queue = reverse("admin:disputes_dispute_changelist")

    first_page = mediator_client.get(queue)
    content = first_page.content.decode()
    assert "More than 3 disputes: the first 3 are listed." in content
    assert "Select all 3 disputes" not in content  # an action on all would take 5
    assert list(first_page.context["cl"].result_list) == disputes[:2]
    last_page = mediator_client.get(queue, {"p": 2})
    assert list(last_page.context["cl"].result_list) == disputes[2:3]
    searched = mediator_client.get(queue, {"q": "Shenzhen"})
    assert "more than 3 results" in searched.content.decode()


def test_up_to_its_cap_the_queue_counts_exactly(mediator_client, monkeypatch):
    monkeypatch.setattr(QueuePaginator, "cap", 3)
    monkeypatch.setattr(DisputeQueueAdmin, "list_per_page", 2)
    for index in range(3):
        open_dispute(make_user(f"buyer-{index}"))
    content = mediator_client.get(reverse("admin:disputes_dispute_changelist")).content.decode()
    assert "3 disputes" in content
    assert "Select all 3 disputes" in content
    assert "More than" not in content


def test_the_queues_count_reads_no_further_than_its_cap(mediator_client, monkeypatch):
    monkeypatch.setattr(QueuePaginator, "cap", 3)
    for index in range(5):
        open_dispute(make_user(f"buyer-{index}"))
    with CaptureQueriesContext(connection) as queries:
        mediator_client.get(reverse("admin:disputes_dispute_changelist"))
    [count] = [query["sql"] for query in queries if query["sql"].startswith("SELECT COUNT(*)")]
    assert "LIMIT 4" in count
    assert "disputes_evidence" not in count


def test_mediator_sees_evidence_previews_and_the_timeline(mediator_client, buyer):
    dispute = dispute_with_a_photo(buyer)
    evidence = dispute.evidence.get()
    page = mediator_client.get(reverse("admin:disputes_dispute_change", args=[dispute.pk]))
    content = page.content.decode()
    assert reverse("disputes:evidence_file", args=[evidence.pk, "thumbnail"]) in content
    assert "crack.png" in content
    assert "Dispute opened" in content
    thumbnail = mediator_client.get(
        reverse("disputes:evidence_file", args=[evidence.pk, "thumbnail"])
    )
    assert thumbnail.status_code == 200


def test_mediator_cannot_edit_what_the_buyer_submitted(mediator_client, buyer):
    dispute = open_dispute(buyer)
    url = reverse("admin:disputes_dispute_change", args=[dispute.pk])
    response = mediator_client.post(url, {"description": "Edited by staff", "status": "decided"})
    assert response.status_code == 403
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.OPEN


def test_mediator_decides_in_the_admin(mediator_client, buyer):
    dispute = open_dispute(buyer)
    url = reverse("admin:disputes_dispute_decide", args=[dispute.pk])
    response = mediator_client.post(
        url,
        {
            "reason": "item_as_described",
            "outcome": Outcome.PARTIAL_REFUND,
            "refund_amount": "13.00",
            "note": "Half works.",
            **CONFIRMED,
        },
    )
    assert "less than the price paid" in response.content.decode()
    response = mediator_client.post(
        url,
        {
            "reason": "item_as_described",
            "outcome": Outcome.PARTIAL_REFUND,
            "refund_amount": "6.00",
            "note": "Half works.",
            **CONFIRMED,
        },
    )
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.outcome == Outcome.PARTIAL_REFUND
    assert dispute.decided_by.username == "mediator"


def test_deciding_a_cancelled_dispute_is_refused(mediator_client, buyer):
    dispute = cancelled_dispute(buyer)
    url = reverse("admin:disputes_dispute_decide", args=[dispute.pk])
    assert "it cannot be decided" in mediator_client.get(url).content.decode()
    response = mediator_client.post(
        url, {"reason": "item_as_described", "outcome": "rejected", "note": "Too late."}
    )
    assert "cannot be decided" in response.content.decode()


def test_buyers_cannot_reach_the_admin(buyer_client, buyer):
    dispute = open_dispute(buyer)
    response = buyer_client.get(reverse("admin:disputes_dispute_decide", args=[dispute.pk]))
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_decide_form_preselects_no_decision(mediator_client, buyer):
    dispute = open_dispute(buyer)

    html = mediator_client.get(reverse("admin:disputes_dispute_decide", args=[dispute.pk]))

    # The three outcomes, and a refund after return.
    assert html.content.decode().count('name="outcome"') == 4
    assert "checked" not in html.content.decode()


def test_the_decide_page_shows_the_evidence_the_decision_rests_on(mediator_client, buyer):
    dispute = dispute_with_a_photo(buyer)
    page = mediator_client.get(reverse("admin:disputes_dispute_decide", args=[dispute.pk]))
    content = page.content.decode()
    (evidence,) = dispute.evidence.all()
    assert reverse("disputes:evidence_file", args=[evidence.pk, "thumbnail"]) in content
    assert "crack.png · Buyer (alice)" in content


def test_a_decision_asks_for_confirmation(mediator_client, buyer):
    dispute = open_dispute(buyer)
    url = reverse("admin:disputes_dispute_decide", args=[dispute.pk])
    response = mediator_client.post(url, {"outcome": Outcome.REJECTED, "note": "No fault."})
    assert "Confirm the decision: it cannot be taken back here." in response.content.decode()
    dispute.refresh_from_db()
    assert dispute.outcome is None


def test_a_full_refund_beyond_the_buyers_request_needs_a_word(mediator_client, buyer):
    dispute = open_dispute(buyer, refund_request="partial", requested_amount=Decimal("4.00"))
    url = reverse("admin:disputes_dispute_decide", args=[dispute.pk])
    full = {
        "reason": "evidence_shows_defect",
        "outcome": Outcome.FULL_REFUND,
        "note": "Broken.",
        **CONFIRMED,
    }

    response = mediator_client.post(url, full)

    content = response.content.decode()
    assert "The buyer asked for a partial refund of €4.00; a full refund gives them €12.99." in (
        content
    )
    assert 'name="beyond_request"' in content
    dispute.refresh_from_db()
    assert dispute.outcome is None

    response = mediator_client.post(url, full | {"beyond_request": "on"})
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.outcome == Outcome.FULL_REFUND


def test_the_beyond_request_box_is_not_asked_when_the_buyer_asked_in_full(mediator_client, buyer):
    dispute = open_dispute(buyer)
    page = mediator_client.get(reverse("admin:disputes_dispute_decide", args=[dispute.pk]))
    assert 'name="beyond_request"' not in page.content.decode()
