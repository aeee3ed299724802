"""Both parties' dispute pages: who acts next, the buyer's answer to an offer, the
conversation, and what a party never sees (a mediator's internal notes)."""

import html
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from disputes import actions
from disputes.models import DisputeStatus, EscalationReason, Evidence, Party, Stage
from disputes.pages import page_evidence
from tests.conftest import corpus_upload
from tests.disputes.builders import (
    DESCRIPTION,
    agreed_dispute,
    answerable_dispute,
    decided_dispute,
    information_requested_dispute,
    make_mediator,
    offered_dispute,
    refused_dispute,
    seller_of,
)
from tests.factories import FIXED_NOW

pytestmark = pytest.mark.django_db

NOTE = "Internal: the seller has had three similar disputes this month."


def text_of(response):
    """The page as its reader sees the characters (an apostrophe is escaped in some places)."""
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def buyer_page(log_in, dispute):
    return text_of(log_in(dispute.order.buyer).get(dispute.get_absolute_url()))


def seller_page(log_in, dispute):
    url = reverse("disputes:seller_detail", args=[dispute.pk])
    return text_of(log_in(seller_of(dispute)).get(url))


def flashed(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# Who must act next, and by when


def test_buyer_page_says_the_seller_must_answer_and_by_when(log_in, buyer):
    dispute = answerable_dispute(buyer)
    page = buyer_page(log_in, dispute)
    deadline = dispute.stage_deadline.astimezone(timezone.get_default_timezone())
    assert "Waiting for the seller: they have until" in page
    assert "(4 days 23 hours left); if they do not answer, the mediators take over." in page
    assert str(deadline.year) in page


@pytest.mark.parametrize(
    ("left", "shown"),
    [
        (timedelta(days=5), "5 days left"),
        (timedelta(days=4, hours=23, minutes=59), "4 days 23 hours left"),
        (timedelta(days=1), "1 day left"),
        (timedelta(hours=23, minutes=59), "23 hours left"),
        (timedelta(hours=1, seconds=30), "1 hour left"),
        (timedelta(minutes=59, seconds=59), "59 minutes left"),
        (timedelta(seconds=59), "less than a minute left"),
        (timedelta(seconds=-1), "time is up"),
    ],
)
def test_time_left_is_never_rounded_up(left, shown, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: FIXED_NOW)
    template = Template("{% load deadlines %}{{ deadline|time_left }}")
    assert template.render(Context({"deadline": FIXED_NOW + left})) == shown


def test_time_left_of_a_deadline_counts_from_now():
    template = Template("{% load deadlines %}{{ deadline|time_left }}")
    deadline = timezone.now() + timedelta(days=2, hours=23)
    assert template.render(Context({"deadline": deadline})) == "2 days 22 hours left"


def test_with_the_mediators_the_page_says_why_in_words(log_in, buyer):
    dispute = refused_dispute(buyer)
    for page in (buyer_page(log_in, dispute), seller_page(log_in, dispute)):
        assert "With the mediators: a mediator reviews both sides and decides" in page
        assert f"Why the mediators have it: {EscalationReason.SELLER_REFUSED.label}." in page


def test_the_party_asked_for_information_is_told_prominently(log_in, buyer):
    dispute = information_requested_dispute(buyer, party=Party.SELLER)

    page = seller_page(log_in, dispute)
    assert "A mediator asked you for information: reply in the conversation below by" in page
    assert "next-step--yours" in page
    assert "Please send a photo of the cable you shipped." in page
    assert "A mediator asked the seller for information: they have until" in buyer_page(
        log_in, dispute
    )


def test_the_reply_goes_through_the_conversation_and_returns_the_dispute(log_in, buyer):
    dispute = information_requested_dispute(buyer, party=Party.BUYER)

    response = log_in(buyer).post(
        reverse("disputes:message", args=[dispute.pk]), {"body": "The label says 1 m, not 2 m."}
    )

    assert response.status_code == 302
    assert response["Location"] == dispute.get_absolute_url() + "#conversation"
    dispute.refresh_from_db()
    assert dispute.stage == Stage.WITH_MEDIATOR


# The buyer's answer to an offer


def test_accepting_the_offer_is_confirmed_first_stating_the_refund(log_in, buyer):
    dispute = offered_dispute(buyer, amount=Decimal("5.00"))
    page = buyer_page(log_in, dispute)
    assert (
        "Accepting ends the dispute with a refund of €5.00. You cannot reopen it or appeal." in page
    )
    assert "The seller offers a partial refund of €5.00 instead of what you asked for." in page
    assert "It is your turn: accept the seller's offer or ask for mediation by" in page
    assert "Ask for mediation" in page


def test_buyer_accepts_the_offer(log_in, buyer):
    dispute = offered_dispute(buyer, amount=Decimal("5.00"))
    client = log_in(buyer)

    response = client.post(reverse("disputes:accept_offer", args=[dispute.pk]))

    assert response.status_code == 302
    assert flashed(response) == [
        "You accepted the offer: the dispute ended with a refund of €5.00."
    ]
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.AGREED
    assert dispute.refund_amount == Decimal("5.00")
    page = text_of(client.get(dispute.get_absolute_url()))
    assert "Ended by agreement: a refund of €5.00" in page
    assert "You accepted the seller's offer." in page
    assert "A dispute ended by agreement cannot be reopened or appealed." in page
    assert "decision--agreed" in page
    assert "Cancel dispute" not in page
    assert "Contact customer service" not in page
    assert "The buyer accepted your offer." in seller_page(log_in, dispute)


def test_an_agreement_by_the_seller_is_shown_to_the_buyer(log_in, buyer):
    dispute = agreed_dispute(buyer)
    page = buyer_page(log_in, dispute)
    assert "Ended by agreement: a refund of €12.99" in page
    assert "The seller accepted your request." in page


def test_buyer_asks_for_mediation(log_in, buyer):
    dispute = offered_dispute(buyer)
    client = log_in(buyer)

    response = client.post(reverse("disputes:ask_for_mediation", args=[dispute.pk]))

    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.stage == Stage.WITH_MEDIATOR
    assert dispute.escalation_reason == EscalationReason.BUYER_REFUSED_OFFER
    page = text_of(client.get(dispute.get_absolute_url()))
    assert f"Why the mediators have it: {EscalationReason.BUYER_REFUSED_OFFER.label}." in page
    assert "Accept the offer" not in page


def test_an_offer_answer_when_no_offer_waits_says_why(log_in, buyer):
    dispute = refused_dispute(buyer)
    response = log_in(buyer).post(reverse("disputes:accept_offer", args=[dispute.pk]))
    assert flashed(response) == ["There is no offer waiting for your answer."]


@pytest.mark.parametrize("url_name", ["accept_offer", "ask_for_mediation", "message"])
def test_buyer_answers_are_posts_with_the_csrf_token(log_in, buyer, url_name):
    dispute = offered_dispute(buyer)
    url = reverse(f"disputes:{url_name}", args=[dispute.pk])
    assert log_in(buyer).get(url).status_code == 405
    strict = log_in(buyer, enforce_csrf_checks=True)
    assert strict.post(url, {"body": "Hello"}).status_code == 403
    dispute.refresh_from_db()
    assert dispute.stage == Stage.OFFER_WAITING_FOR_BUYER
    assert not dispute.messages.exists()


@pytest.mark.parametrize("url_name", ["accept_offer", "ask_for_mediation", "message"])
def test_another_buyers_offer_is_not_found(log_in, buyer, other_buyer, url_name):
    dispute = offered_dispute(buyer)
    response = log_in(other_buyer).post(reverse(f"disputes:{url_name}", args=[dispute.pk]))
    assert response.status_code == 404
    dispute.refresh_from_db()
    assert dispute.stage == Stage.OFFER_WAITING_FOR_BUYER


@pytest.mark.parametrize("url_name", ["accept_offer", "ask_for_mediation", "message"])
def test_anonymous_answer_is_sent_to_log_in(client, buyer, url_name):
    dispute = offered_dispute(buyer)
    response = client.post(reverse(f"disputes:{url_name}", args=[dispute.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# The conversation


def post_message(client, dispute, body, *files, party=Party.BUYER):
    name = "disputes:message" if party == Party.BUYER else "disputes:seller_message"
    return client.post(reverse(name, args=[dispute.pk]), {"body": body, "evidence": list(files)})


def test_both_parties_write_and_read_the_conversation(log_in, buyer):
    dispute = answerable_dispute(buyer)
    buyer_client, seller_client = log_in(buyer), log_in(seller_of(dispute))

    post_message(buyer_client, dispute, "Could you send a replacement instead?")
    post_message(seller_client, dispute, "Yes, if you send the cable back.", party=Party.SELLER)
    actions.post_message(dispute=dispute, author=make_mediator(), body="Please agree on costs.")

    assert [message.body for message in dispute.messages.all()] == [
        "Could you send a replacement instead?",
        "Yes, if you send the cable back.",
        "Please agree on costs.",
    ]
    seen_by_buyer = text_of(buyer_client.get(dispute.get_absolute_url()))
    for author in ("You", "The seller", "A mediator"):
        assert f"<strong>{author}</strong>" in seen_by_buyer
    seen_by_seller = seller_page(log_in, dispute)
    for author in ("The buyer", "You", "A mediator"):
        assert f"<strong>{author}</strong>" in seen_by_seller


def test_a_message_carries_evidence_the_other_party_sees_as_copies(log_in, buyer):
    dispute = answerable_dispute(buyer)
    client = log_in(buyer)

    response = post_message(
        client,
        dispute,
        "Here is the connector, close up.",
        corpus_upload("good/png_photo_hopper.png", "CLOSE_UP.PNG"),
    )

    assert response.status_code == 302
    [message] = dispute.messages.all()
    [evidence] = message.evidence.all()
    assert (evidence.original_name, evidence.dispute_id) == ("CLOSE_UP.PNG", dispute.pk)
    thumbnail = reverse("disputes:evidence_file", args=[evidence.pk, "thumbnail"])
    original = reverse("disputes:evidence_file", args=[evidence.pk, "original"])
    page = seller_page(log_in, dispute)
    assert thumbnail in page
    assert original not in page
    assert log_in(seller_of(dispute)).get(thumbnail).status_code == 200
    assert log_in(seller_of(dispute)).get(original).status_code == 404


def test_a_refused_file_is_named_and_nothing_typed_or_accepted_is_lost(log_in, buyer):
    dispute = answerable_dispute(buyer)
    client = log_in(buyer)

    response = post_message(
        client,
        dispute,
        "Two photos of the fault.",
        corpus_upload("good/png_photo_hopper.png", "FAULT.PNG"),
        corpus_upload("bad/exe_renamed.jpg", "IMG_2.JPG"),
    )

    page = text_of(response)
    assert "IMG_2.JPG is an executable program" in page
    assert "Two photos of the fault.</textarea>" in page
    assert "FAULT.PNG" in page
    assert not dispute.messages.exists()

    post_message(client, dispute, "Two photos of the fault.")

    [message] = dispute.messages.all()
    assert [item.original_name for item in message.evidence.all()] == ["FAULT.PNG"]


def test_an_empty_message_is_refused(log_in, buyer):
    dispute = answerable_dispute(buyer)
    response = post_message(log_in(buyer), dispute, "   ")
    assert "Write a message." in text_of(response)
    assert not dispute.messages.exists()


def test_a_closed_dispute_has_no_message_form(log_in, buyer):
    dispute = agreed_dispute(buyer)
    page = buyer_page(log_in, dispute)
    assert reverse("disputes:message", args=[dispute.pk]) not in page
    assert "This dispute is closed: its conversation too." in page

    response = post_message(log_in(buyer), dispute, "Hello?")

    assert flashed(response) == ["This dispute is closed: its conversation too."]
    assert not dispute.messages.exists()


def test_message_files_count_against_the_partys_ten_files(log_in, buyer, settings):
    settings.EVIDENCE_MAX_FILES = 1
    dispute = answerable_dispute(buyer)
    client = log_in(buyer)
    post_message(client, dispute, "First.", corpus_upload("good/png_photo_hopper.png"))

    response = post_message(
        client, dispute, "Second.", corpus_upload("good/webp_lossy.webp", "MORE.WEBP")
    )

    assert "You can attach at most 1 files; MORE.WEBP was not added." in text_of(response)
    assert Evidence.objects.filter(uploaded_by=buyer).count() == 1


def test_a_party_never_receives_an_internal_note(log_in, buyer):
    dispute = information_requested_dispute(buyer)
    mediator = make_mediator()
    actions.post_message(dispute=dispute, author=mediator, body=NOTE, internal=True)
    actions.post_message(dispute=dispute, author=mediator, body="Thank you both.")

    buyer_response = log_in(buyer).get(dispute.get_absolute_url())
    seller_response = log_in(seller_of(dispute)).get(
        reverse("disputes:seller_detail", args=[dispute.pk])
    )

    for response in (buyer_response, seller_response):
        assert not any(message.internal for message in response.context["conversation"])
        page = text_of(response)
        assert NOTE not in page
        assert "Thank you both." in page


def test_a_decision_against_the_buyer_is_not_shown_as_good_news(log_in, buyer):
    dispute = decided_dispute(buyer)

    page = buyer_page(log_in, dispute)

    assert "status--decided status--against-you" in page
    assert page.index('id="decision-heading"') < page.index('id="status-heading"')


def test_a_disputes_files_are_shared_out_oldest_first(buyer):
    # Read unordered and sorted in Python (disputes.pages.page_evidence): the order in
    # which rows were stored, or come back, does not decide the order shown.
    dispute = answerable_dispute(buyer)
    uploaded = timezone.now()
    for minutes_ago, name in ((1, "newest.jpg"), (30, "oldest.jpg"), (10, "middle.jpg")):
        Evidence.objects.create(
            uploaded_by=buyer,
            order=dispute.order,
            dispute=dispute,
            kind="photo",
            original_name=name,
            original=f"evidence/{name}",
            mime="image/jpeg",
            size=1,
            sha256="0" * 64,
            uploaded_at=uploaded - timedelta(minutes=minutes_ago),
        )
    shown = [item.original_name for item in page_evidence(dispute).request]
    assert shown == ["oldest.jpg", "middle.jpg", "newest.jpg"]


def test_each_party_reads_only_their_own_disputes(log_in, buyer, other_buyer):
    mine, theirs = answerable_dispute(buyer), answerable_dispute(other_buyer)
    assert DESCRIPTION in buyer_page(log_in, mine)
    assert DESCRIPTION in seller_page(log_in, theirs)
    seller_list = text_of(log_in(seller_of(mine)).get(reverse("disputes:seller_list")))
    assert mine.order.number in seller_list
    assert log_in(other_buyer).get(mine.get_absolute_url()).status_code == 404
    assert log_in(buyer).get(theirs.get_absolute_url()).status_code == 404
