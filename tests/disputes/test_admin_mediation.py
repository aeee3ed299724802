"""The mediators' side of a dispute in the admin: the queue, both parties' sides, and the
actions, used by a staff account that is not a superuser, through CSRF-checked forms."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from disputes import actions
from disputes.admin.disputes import DISPUTE_ACTIONS
from disputes.models import (
    Dispute,
    DisputeStatus,
    EventKind,
    Evidence,
    EvidenceKind,
    Outcome,
    Party,
    Stage,
)
from tests.conftest import corpus_upload, store_evidence
from tests.disputes.builders import (
    STATEMENT,
    answerable_dispute,
    appealed_dispute,
    cancelled_dispute,
    decided_dispute,
    information_requested_dispute,
    make_mediator,
    make_seller_account,
    offered_dispute,
    open_dispute,
    refused_dispute,
    seller_of,
)

pytestmark = pytest.mark.django_db

# The decide form asks the mediator to confirm.
CONFIRMED = {"confirmed": "on"}

QUEUE = "admin:disputes_dispute_changelist"
# The page of each mediator's action on a dispute, by its URL name.
ACTION_URLS = [
    "admin:disputes_dispute_request_information",
    "admin:disputes_dispute_note",
    "admin:disputes_dispute_message",
    "admin:disputes_dispute_decide",
    "admin:disputes_dispute_assign",
    "admin:disputes_dispute_settle_refund",
]
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def mediator():
    return make_mediator()


@pytest.fixture
def mediator_client(mediator):
    """A browser that sends the CSRF token the pages give it, or is refused."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(mediator)
    return client


def queue(client, **params):
    """The disputes the queue lists, in its order, with ``params`` as the filters."""
    response = client.get(reverse(QUEUE), params)
    return [dispute.pk for dispute in response.context["cl"].result_list]


def page_of(dispute):
    return reverse("admin:disputes_dispute_change", args=[dispute.pk])


def action_url(url_name, dispute):
    return reverse(url_name, args=[dispute.pk])


def submit(client, url, data):
    """Post ``data`` from the page at ``url`` as a browser would, with the page's CSRF token."""
    token = CSRF_INPUT.search(client.get(url).content.decode()).group(1)
    return client.post(url, {**data, "csrfmiddlewaretoken": token})


def row_of(content, text):
    """The table row of ``content`` in which ``text`` appears."""
    (row,) = [row for row in re.findall(r"<tr[ >].*?</tr>", content, re.S) if text in row]
    return row


def state_of(dispute):
    """What an action may change: the dispute's status and stage, its messages and events."""
    dispute.refresh_from_db()
    return (dispute.status, dispute.stage, dispute.messages.count(), dispute.events.count())


def escalate_at(dispute, when):
    Dispute.objects.filter(pk=dispute.pk).update(escalated_at=when)


def refused_by(seller, buyer):
    dispute = answerable_dispute(buyer, seller=seller)
    return actions.refuse_request(dispute=dispute, seller=seller.user, statement=STATEMENT)


# The queue


def test_queue_opens_on_the_disputes_waiting_on_the_mediators_longest_escalated_first(
    mediator_client, buyer
):
    answerable_dispute(buyer)
    refused = refused_dispute(buyer)
    asked = information_requested_dispute(buyer)
    no_seller_account = open_dispute(buyer)
    cancelled_dispute(buyer)
    decided_dispute(buyer)
    # Escalated in the opposite order of their opening: the queue follows the escalation.
    now = timezone.now()
    escalate_at(no_seller_account, now - timedelta(days=3))
    escalate_at(asked, now - timedelta(days=2))
    escalate_at(refused, now - timedelta(days=1))

    assert queue(mediator_client) == [no_seller_account.pk, asked.pk, refused.pk]


def test_queue_filters_by_stage(mediator_client, buyer):
    waiting_for_seller = answerable_dispute(buyer)
    asked = information_requested_dispute(buyer)
    refused = refused_dispute(buyer)

    assert queue(mediator_client, stage=Stage.INFORMATION_REQUESTED) == [asked.pk]
    assert queue(mediator_client, stage=Stage.WITH_MEDIATOR) == [refused.pk]
    # The stages before escalation are among the open disputes, not the mediators' queue.
    assert queue(mediator_client, stage=Stage.WAITING_FOR_SELLER) == []
    assert queue(mediator_client, status="open", stage=Stage.WAITING_FOR_SELLER) == [
        waiting_for_seller.pk
    ]


def test_queue_filters_the_disputes_whose_date_has_passed(mediator_client, buyer):
    late = open_dispute(buyer)
    on_time = open_dispute(buyer)
    Dispute.objects.filter(pk=late.pk).update(stage_deadline=timezone.now() - timedelta(hours=1))

    assert queue(mediator_client, overdue="yes") == [late.pk]
    assert queue(mediator_client, overdue="no") == [on_time.pk]
    content = mediator_client.get(reverse(QUEUE), {"overdue": "yes"}).content.decode()
    assert "(overdue)" in row_of(content, late.order.number)


def test_the_decision_filter_shows_the_ended_disputes_of_every_status(mediator_client, buyer):
    rejected = decided_dispute(buyer, Outcome.REJECTED)
    decided_dispute(buyer, Outcome.FULL_REFUND)
    refused_dispute(buyer)
    content = mediator_client.get(reverse(QUEUE)).content.decode()

    # From the queue as it opens, where nothing has ended, a decision leads to every status.
    assert "?outcome=rejected&amp;status=all" in content
    assert queue(mediator_client, outcome=Outcome.REJECTED, status="all") == [rejected.pk]
    assert queue(mediator_client, outcome=Outcome.REJECTED, status="decided") == [rejected.pk]


def test_queue_searches_by_seller_name_and_username(mediator_client, buyer):
    bazaar = make_seller_account("bzr-support", "Bazaar Cables Ltd")
    theirs = refused_by(bazaar, buyer)
    others = refused_dispute(buyer)

    assert queue(mediator_client, q="Bazaar Cables") == [theirs.pk]
    assert queue(mediator_client, q="bzr-support") == [theirs.pk]
    assert queue(mediator_client, q="Shenzhen") == [others.pk]
    assert queue(mediator_client, q=theirs.order.number) == [theirs.pk]
    assert queue(mediator_client, q=buyer.username) == [theirs.pk, others.pk]


def test_queue_says_who_acts_next_by_when_and_why_each_dispute_was_escalated(
    mediator_client, buyer
):
    refused = refused_dispute(buyer)
    asked = information_requested_dispute(buyer, party=Party.SELLER)
    content = mediator_client.get(reverse(QUEUE)).content.decode()

    refused_row = row_of(content, refused.order.number)
    assert "Decision expected by" in refused_row
    assert "The seller refused the request" in refused_row
    assert refused.order.seller.name in refused_row
    assert "Seller must reply by" in row_of(content, asked.order.number)


# The dispute page


def test_dispute_page_shows_both_parties_sides_and_evidence_with_its_uploader(
    mediator_client, buyer
):
    dispute = refused_dispute(buyer)
    seller = seller_of(dispute)
    store_evidence(
        [corpus_upload("good/png_photo_hopper.png", "crack.png")],
        buyer,
        dispute.order,
        dispute=dispute,
    )
    video = Evidence.objects.create(
        uploaded_by=seller,
        order=dispute.order,
        dispute=dispute,
        kind=EvidenceKind.VIDEO,
        original_name="packing.mp4",
        original="test/packing.mp4",
        display="test/packing.webp",
        thumbnail="test/packing.thumb.webp",
        mime="video/mp4",
        size=2_000_000,
        sha256="0" * 64,
    )
    content = mediator_client.get(page_of(dispute)).content.decode()

    assert dispute.description in content
    assert STATEMENT in content
    assert "The seller refused the request" in content
    assert "Buyer (alice)" in row_of(content, "crack.png")
    seller_row = row_of(content, "packing.mp4")
    assert f"Seller ({seller.username})" in seller_row
    assert "<video controls" in seller_row
    assert reverse("disputes:evidence_file", args=[video.pk, "video"]) in seller_row


def test_dispute_page_shows_the_sellers_offer(mediator_client, buyer):
    dispute = actions.ask_for_mediation(dispute=offered_dispute(buyer), buyer=buyer)
    content = mediator_client.get(page_of(dispute)).content.decode()

    assert "A partial refund of 5.00 EUR" in content
    assert "The buyer refused the seller&#x27;s offer" in content


def test_dispute_page_shows_the_conversation_with_internal_notes_marked(
    mediator_client, mediator, buyer
):
    dispute = refused_dispute(buyer)
    actions.post_message(dispute=dispute, author=seller_of(dispute), body="It left us intact.")
    actions.post_message(dispute=dispute, author=mediator, body="Third claim.", internal=True)
    content = mediator_client.get(page_of(dispute)).content.decode()

    seller_row = row_of(content, "It left us intact.")
    assert "Both parties" in seller_row
    assert "Seller (szgadget)" in seller_row
    note_row = row_of(content, "Third claim.")
    assert "Internal note: mediators only" in note_row
    assert "Mediator (mediator)" in note_row


def test_dispute_page_tells_the_timeline_in_sentences(mediator_client, buyer):
    dispute = answerable_dispute(buyer)
    actions.act_on_deadline(
        dispute_id=dispute.pk, now=dispute.stage_deadline + timedelta(minutes=1)
    )
    content = mediator_client.get(page_of(dispute)).content.decode()

    escalation = row_of(content, "Escalated to the mediators: the seller did not answer in time")
    assert "By the deadline" in escalation
    sentences = re.findall(r'<td class="field-what_happened">(.*?)</td>', content, re.S)
    assert len(sentences) == dispute.events.count() == 2
    assert not any("{" in sentence for sentence in sentences)


# The actions


@pytest.mark.parametrize(
    ("make_dispute", "offered"),
    [
        (
            refused_dispute,
            [
                "Ask for information",
                "Add an internal note",
                "Write to both parties",
                "Decide",
                "Assign",
            ],
        ),
        (
            information_requested_dispute,
            [
                "Ask for information",
                "Add an internal note",
                "Write to both parties",
                "Decide",
                "Assign",
            ],
        ),
        (answerable_dispute, ["Add an internal note", "Write to both parties", "Assign"]),
        (decided_dispute, ["Add an internal note", "Assign"]),
    ],
)
def test_dispute_page_offers_the_actions_possible_now(
    mediator_client, buyer, make_dispute, offered
):
    response = mediator_client.get(page_of(make_dispute(buyer)))
    assert [action["label"] for action in response.context["mediator_actions"]] == offered
    for action in response.context["mediator_actions"]:
        assert action["url"] in response.content.decode()


def test_mediator_asks_the_seller_for_information(mediator_client, mediator, buyer, settings):
    settings.DISPUTE_INFORMATION_DAYS = 4
    dispute = refused_dispute(buyer)
    url = action_url("admin:disputes_dispute_request_information", dispute)
    assert "will have 4 days to reply" in mediator_client.get(url).content.decode()

    response = submit(mediator_client, url, {"party": "seller", "message": "Which carrier?"})

    assert response.status_code == 302
    assert response.url == page_of(dispute)
    dispute.refresh_from_db()
    assert dispute.stage == Stage.INFORMATION_REQUESTED
    assert dispute.information_requested_from == Party.SELLER
    assert dispute.stage_deadline == dispute.stage_started_at + timedelta(days=4)
    message = dispute.messages.get()
    assert (message.author, message.body, message.internal) == (mediator, "Which carrier?", False)
    assert "the party asked is told" in mediator_client.get(page_of(dispute)).content.decode()


def test_only_the_buyer_can_be_asked_when_the_seller_has_no_account(mediator_client, buyer):
    dispute = open_dispute(buyer)
    url = action_url("admin:disputes_dispute_request_information", dispute)
    page = mediator_client.get(url).content.decode()
    assert 'value="seller"' not in page
    assert "only the buyer can be asked" in page


def test_mediator_adds_an_internal_note_that_stays_out_of_the_timeline(
    mediator_client, mediator, buyer
):
    dispute = refused_dispute(buyer)
    events = dispute.events.count()

    response = submit(
        mediator_client,
        action_url("admin:disputes_dispute_note", dispute),
        {"body": "Third claim."},
    )

    assert response.status_code == 302
    note = dispute.messages.get()
    assert (note.author, note.body, note.internal) == (mediator, "Third claim.", True)
    # No event: nothing in the parties' timeline, and no email (emails follow events).
    assert dispute.events.count() == events
    content = mediator_client.get(page_of(dispute)).content.decode()
    assert "Internal note: mediators only" in row_of(content, "Third claim.")


def test_mediator_adds_an_internal_note_to_a_decided_dispute(mediator_client, buyer):
    dispute = decided_dispute(buyer)
    response = submit(
        mediator_client,
        action_url("admin:disputes_dispute_note", dispute),
        {"body": "Appeal likely."},
    )
    assert response.status_code == 302
    assert dispute.messages.get().internal


def test_mediator_writes_to_both_parties(mediator_client, mediator, buyer):
    dispute = refused_dispute(buyer)

    response = submit(
        mediator_client,
        action_url("admin:disputes_dispute_message", dispute),
        {"body": "Send the connector's photo."},
    )

    assert response.status_code == 302
    message = dispute.messages.get()
    assert (message.author, message.internal) == (mediator, False)
    # The event that emails both parties (disputes.notifications).
    assert dispute.events.filter(kind=EventKind.MESSAGE, actor=mediator).exists()


def test_mediator_decides_while_information_is_requested(mediator_client, mediator, buyer):
    dispute = information_requested_dispute(buyer)
    response = submit(
        mediator_client,
        action_url("admin:disputes_dispute_decide", dispute),
        {
            "reason": "item_as_described",
            "outcome": Outcome.REJECTED,
            "note": "The photos show the cable works.",
            **CONFIRMED,
        },
    )
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.DECIDED
    assert dispute.decided_by == mediator
    assert dispute.decided_at is not None


@pytest.mark.parametrize(
    ("make_dispute", "url_name", "data", "error"),
    [
        (
            answerable_dispute,
            "admin:disputes_dispute_request_information",
            {"party": "buyer", "message": "Any photo?"},
            "information can be asked only of a dispute with the mediators",
        ),
        (
            open_dispute,
            "admin:disputes_dispute_request_information",
            {"party": "seller", "message": "Which carrier?"},
            "This seller has no account and cannot answer in the app",
        ),
        (
            refused_dispute,
            "admin:disputes_dispute_note",
            {"body": "   "},
            "This field is required.",
        ),
        (
            decided_dispute,
            "admin:disputes_dispute_message",
            {"body": "Hello?"},
            "its conversation too",
        ),
        (
            answerable_dispute,
            "admin:disputes_dispute_decide",
            {"reason": "item_as_described", "outcome": "rejected", "note": "No."},
            "cannot be decided",
        ),
        (
            refused_dispute,
            "admin:disputes_dispute_decide",
            {
                "reason": "item_as_described",
                "outcome": "partial_refund",
                "refund_amount": "13.00",
                "note": "Half works.",
                **CONFIRMED,
            },
            "less than the price paid",
        ),
    ],
)
def test_a_refused_action_says_why_and_changes_nothing(
    mediator_client, buyer, make_dispute, url_name, data, error
):
    dispute = make_dispute(buyer)
    before = state_of(dispute)

    response = submit(mediator_client, action_url(url_name, dispute), data)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert state_of(dispute) == before


def test_every_action_a_dispute_page_offers_is_among_those_tested_here():
    assert [action.url_name for action in DISPUTE_ACTIONS] == ACTION_URLS


@pytest.mark.parametrize(
    ("url_name", "address"),
    [
        (
            "admin:disputes_dispute_request_information",
            "/admin/disputes/dispute/7/request-information/",
        ),
        ("admin:disputes_dispute_note", "/admin/disputes/dispute/7/note/"),
        ("admin:disputes_dispute_message", "/admin/disputes/dispute/7/message/"),
        ("admin:disputes_dispute_decide", "/admin/disputes/dispute/7/decide/"),
        ("admin:disputes_dispute_assign", "/admin/disputes/dispute/7/assign/"),
        ("admin:disputes_dispute_settle_refund", "/admin/disputes/dispute/7/settle-refund/"),
        ("admin:disputes_appeal_answer", "/admin/disputes/appeal/7/answer/"),
    ],
)
def test_each_action_page_keeps_its_address(url_name, address):
    assert reverse(url_name, args=[7]) == address


@pytest.mark.parametrize("url_name", ACTION_URLS)
def test_an_action_posted_without_the_csrf_token_is_refused(mediator_client, buyer, url_name):
    dispute = refused_dispute(buyer)
    data = {
        "party": "buyer",
        "message": "?",
        "body": "?",
        "reason": "item_as_described",
        "outcome": "rejected",
        "note": "?",
    }
    response = mediator_client.post(action_url(url_name, dispute), data)
    assert response.status_code == 403
    dispute.refresh_from_db()
    assert dispute.stage == Stage.WITH_MEDIATOR
    assert not dispute.messages.exists()


# Who may come in


@pytest.mark.parametrize("url_name", [QUEUE, "admin:disputes_dispute_change", *ACTION_URLS])
def test_people_who_are_not_mediators_are_sent_to_the_admin_login(buyer_client, buyer, url_name):
    dispute = refused_dispute(buyer)
    seller_client = Client()
    seller_client.force_login(seller_of(dispute))
    url = reverse(QUEUE) if url_name == QUEUE else action_url(url_name, dispute)
    for client in (buyer_client, seller_client):
        for response in (client.get(url), client.post(url, {"body": "Let me in."})):
            assert response.status_code == 302
            assert response.url.startswith(reverse("admin:login"))
    assert not dispute.messages.exists()


# Appeals


def test_mediator_answers_an_appeal_once(mediator_client, mediator, buyer):
    appeal = appealed_dispute(buyer).appeal
    url = reverse("admin:disputes_appeal_answer", args=[appeal.pk])

    response = submit(
        mediator_client,
        url,
        {"ruling": "upheld", "reason": "item_as_described", "answer": "The decision stands."},
    )

    assert response.status_code == 302
    assert response.url == reverse("admin:disputes_appeal_change", args=[appeal.pk])
    appeal.refresh_from_db()
    assert (appeal.answer, appeal.answered_by) == ("The decision stands.", mediator)
    assert "already been answered" in mediator_client.get(url).content.decode()


def test_mediator_replaces_a_decision_on_appeal_with_its_reason(mediator_client, buyer):
    dispute = appealed_dispute(buyer)
    appeal = dispute.appeal
    url = reverse("admin:disputes_appeal_answer", args=[appeal.pk])
    page = mediator_client.get(url).content.decode()
    assert 'name="ruling"' in page
    assert 'name="reason"' in page

    response = submit(
        mediator_client,
        url,
        {
            "ruling": "replaced",
            "outcome": "full_refund",
            "reason": "not_as_described",
            "answer": "The listing promised what the item lacks.",
        },
    )

    assert response.status_code == 302
    dispute.refresh_from_db()
    appeal.refresh_from_db()
    assert (dispute.outcome, dispute.decision_reason) == ("full_refund", "not_as_described")
    assert (appeal.ruling, appeal.answer_reason) == ("replaced", "not_as_described")


def test_an_appeals_answer_without_a_reason_is_refused(mediator_client, buyer):
    appeal = appealed_dispute(buyer).appeal
    url = reverse("admin:disputes_appeal_answer", args=[appeal.pk])

    response = submit(mediator_client, url, {"ruling": "upheld", "answer": "It stands."})

    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    appeal.refresh_from_db()
    assert not appeal.is_answered


def test_people_who_are_not_mediators_cannot_answer_an_appeal(buyer_client, buyer):
    appeal = appealed_dispute(buyer).appeal
    url = reverse("admin:disputes_appeal_answer", args=[appeal.pk])
    response = buyer_client.post(url, {"answer": "Granted."})
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    appeal.refresh_from_db()
    assert not appeal.is_answered
