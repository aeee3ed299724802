"""The seller's pages: the disputes on its orders, one dispute, and its three answers."""

import html
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from disputes import actions
from disputes.errors import DisputeErrorCode
from disputes.models import DisputeStatus, Evidence, EvidenceKind, Outcome, Stage
from tests.conftest import corpus_upload
from tests.disputes.builders import (
    STATEMENT,
    answerable_dispute,
    disputable_order,
    make_seller_account,
    offered_dispute,
    open_dispute,
    refused_dispute,
    seller_of,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def seller_url(name, dispute):
    return reverse(f"disputes:{name}", args=[dispute.pk])


def page_of(client, dispute):
    response = client.get(seller_url("seller_detail", dispute))
    assert response.status_code == 200
    return text_of(response)


def text_of(response):
    """The page as its reader sees the characters (an apostrophe is escaped in some places)."""
    return html.unescape(response.content.decode())


def flashed(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# Finding the disputes


def test_seller_reaches_its_disputes_from_my_account(log_in, buyer):
    dispute = answerable_dispute(buyer)
    page = text_of(log_in(seller_of(dispute)).get(reverse("orders:account")))
    assert "1 dispute on your orders waits for your answer." in page
    assert reverse("disputes:seller_list") in page
    assert "The soonest deadline:" in page


def test_my_account_of_a_buyer_has_no_disputes_section(buyer_client, buyer):
    open_dispute(buyer)
    page = text_of(buyer_client.get(reverse("orders:account")))
    assert reverse("disputes:seller_list") not in page


def test_list_shows_what_waits_for_an_answer_first_soonest_deadline_first(log_in):
    seller = make_seller_account()
    late = answerable_dispute(make_user("late"), seller=seller)
    soon = answerable_dispute(make_user("soon"), seller=seller)
    answered = refused_dispute(make_user("answered"))
    late.__class__.objects.filter(pk=late.pk).update(
        stage_deadline=timezone.now() + timedelta(days=4, hours=23)
    )
    soon.__class__.objects.filter(pk=soon.pk).update(
        stage_deadline=timezone.now() + timedelta(hours=5, minutes=30)
    )

    response = log_in(seller.user).get(reverse("disputes:seller_list"))

    assert list(response.context["waiting"]) == [soon, late]
    assert list(response.context["page"].object_list) == [answered]
    page = text_of(response)
    assert page.index(soon.order.number) < page.index(late.order.number)
    assert page.index(late.order.number) < page.index("Other disputes")
    assert "(5 hours left)" in page
    assert "(4 days 22 hours left)" in page  # 4 days 23 hours, less the moment it took


def test_past_its_bound_the_waiting_list_counts_the_later_deadlines(log_in, monkeypatch):
    monkeypatch.setattr("disputes.seller_views.WAITING_SHOWN", 2)
    seller = make_seller_account()
    waiting = [answerable_dispute(make_user(f"buyer{n}"), seller=seller) for n in range(5)]
    for hours, dispute in enumerate(waiting, start=1):
        dispute.__class__.objects.filter(pk=dispute.pk).update(
            stage_deadline=timezone.now() + timedelta(hours=hours)
        )
    client = log_in(seller.user)

    response = client.get(reverse("disputes:seller_list"))

    assert list(response.context["waiting"]) == waiting[:2]
    page = text_of(response)
    assert "And 3 more with later deadlines: they come up here as you answer these." in page
    assert waiting[2].order.number not in page
    # One fewer past the bound: still counted, in the singular.
    actions.cancel_dispute(dispute=waiting[4], buyer=waiting[4].order.buyer)
    actions.cancel_dispute(dispute=waiting[3], buyer=waiting[3].order.buyer)
    page = text_of(client.get(reverse("disputes:seller_list")))
    assert "And 1 more with a later deadline: it comes up here as you answer these." in page
    actions.cancel_dispute(dispute=waiting[2], buyer=waiting[2].order.buyer)
    assert "more with a" not in text_of(client.get(reverse("disputes:seller_list")))


def test_other_disputes_come_a_page_at_a_time(log_in, monkeypatch):
    monkeypatch.setattr("disputes.seller_views.OTHER_DISPUTES_PER_PAGE", 1)
    older = refused_dispute(make_user("first"))
    newer = refused_dispute(make_user("second"))
    client = log_in(seller_of(newer))

    first = text_of(client.get(reverse("disputes:seller_list")))
    second = text_of(client.get(reverse("disputes:seller_list"), {"page": 2}))

    assert newer.order.number in first and older.order.number not in first
    assert 'href="?page=2"' in first and "Page 1 of 2" in first
    assert older.order.number in second and 'href="?page=1"' in second


def test_list_shows_only_the_sellers_own_disputes(log_in, buyer):
    mine = answerable_dispute(buyer)
    other_seller = make_seller_account("other-seller", name="Another Store")
    theirs = answerable_dispute(make_user("carol"), seller=other_seller)

    page = text_of(log_in(seller_of(mine)).get(reverse("disputes:seller_list")))

    assert mine.order.number in page
    assert theirs.order.number not in page


def test_list_is_not_found_for_an_account_that_is_not_a_sellers(buyer_client):
    assert buyer_client.get(reverse("disputes:seller_list")).status_code == 404


def test_a_seller_without_disputes_has_an_empty_list(log_in):
    page = text_of(log_in(make_seller_account().user).get(reverse("disputes:seller_list")))
    assert "Nothing waits for your answer." in page
    assert "No other disputes." in page


@pytest.mark.parametrize(
    ("url_name", "method"),
    [
        ("seller_detail", "get"),
        ("seller_accept", "post"),
        ("seller_offer", "post"),
        ("seller_refuse", "get"),
        ("seller_refuse", "post"),
        ("seller_message", "post"),
    ],
)
@pytest.mark.parametrize("who", ["other seller", "the buyer", "a stranger"])
def test_a_dispute_not_on_your_orders_is_not_found(log_in, buyer, url_name, method, who):
    dispute = answerable_dispute(buyer)
    user = {
        "other seller": lambda: make_seller_account("other-seller", name="Another Store").user,
        "the buyer": lambda: buyer,
        "a stranger": lambda: make_user("stranger"),
    }[who]()
    client = log_in(user)

    response = getattr(client, method)(seller_url(url_name, dispute), {"amount": "1"})

    assert response.status_code == 404
    dispute.refresh_from_db()
    assert dispute.stage == Stage.WAITING_FOR_SELLER


@pytest.mark.parametrize(
    ("url_name", "method"),
    [
        ("seller_list", "get"),
        ("seller_detail", "get"),
        ("seller_accept", "post"),
        ("seller_offer", "post"),
        ("seller_refuse", "get"),
        ("seller_message", "post"),
    ],
)
def test_anonymous_is_sent_to_log_in(client, buyer, url_name, method):
    dispute = answerable_dispute(buyer)
    url = reverse(f"disputes:{url_name}", args=[] if url_name == "seller_list" else [dispute.pk])
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# The dispute page


def add_buyer_evidence(dispute, name, kind=EvidenceKind.PHOTO):
    return Evidence.objects.create(
        uploaded_by=dispute.order.buyer,
        order=dispute.order,
        dispute=dispute,
        kind=kind,
        original_name=name,
        original=f"test/{name}",
        display=f"test/{name}.display.jpg",
        thumbnail=f"test/{name}.thumb.jpg",
        mime="video/mp4" if kind == EvidenceKind.VIDEO else "image/jpeg",
        size=1_000_000,
        sha256="0" * 64,
    )


def file_url(evidence, variant):
    return reverse("disputes:evidence_file", args=[evidence.pk, variant])


def test_seller_page_shows_the_request_and_the_buyers_evidence_as_copies_only(log_in, buyer):
    dispute = answerable_dispute(buyer, refund_request="partial", requested_amount=Decimal("8.00"))
    photo = add_buyer_evidence(dispute, "IMG_1.JPG")
    video = add_buyer_evidence(dispute, "VID_2.MP4", kind=EvidenceKind.VIDEO)

    page = page_of(log_in(seller_of(dispute)), dispute)

    assert "The buyer's request" in page
    assert "Item defective or damaged" in page
    assert "Partial refund: €8.00" in page
    assert dispute.description in page
    assert file_url(photo, "thumbnail") in page
    assert file_url(video, "display") in page  # the video's poster image
    for evidence in (photo, video):
        assert file_url(evidence, "original") not in page
        assert file_url(evidence, "video") not in page
    assert "<video" not in page


def test_seller_page_says_it_is_the_sellers_turn_and_until_when(log_in, buyer):
    dispute = answerable_dispute(buyer)
    page = page_of(log_in(seller_of(dispute)), dispute)
    assert "It is your turn: answer the buyer's request by" in page
    assert "(4 days 23 hours left)" in page  # five days, less the moment it took: never rounded up
    assert "If you do not answer in time, the mediators take over" in page


# Accepting


def test_accept_asks_for_confirmation_stating_the_refund(log_in, buyer):
    dispute = answerable_dispute(buyer)
    page = page_of(log_in(seller_of(dispute)), dispute)
    assert "Accepting ends the dispute by agreement with a refund of €12.99 to the buyer." in page
    assert seller_url("seller_accept", dispute) in page


def test_seller_accepts_the_request(log_in, buyer):
    dispute = answerable_dispute(buyer, refund_request="partial", requested_amount=Decimal("8.00"))
    client = log_in(seller_of(dispute))

    response = client.post(seller_url("seller_accept", dispute))

    assert response.status_code == 302
    assert response["Location"] == seller_url("seller_detail", dispute)
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.AGREED
    assert dispute.refund_amount == Decimal("8.00")
    assert flashed(response) == [
        "You accepted the buyer's request: the dispute ended with a refund of €8.00."
    ]
    page = page_of(client, dispute)
    assert "Ended by agreement: a refund of €8.00" in page
    assert "You accepted the buyer's request." in page
    assert "Accept the request" not in page


# Offering


def test_offer_field_takes_a_decimal_on_a_decimal_keyboard(log_in, buyer):
    dispute = answerable_dispute(buyer)
    page = page_of(log_in(seller_of(dispute)), dispute)
    assert 'inputmode="decimal"' in page
    assert "More than 0 and less than the price paid, €12.99." in page


def test_seller_offers_a_partial_refund(log_in, buyer):
    dispute = answerable_dispute(buyer)
    client = log_in(seller_of(dispute))

    response = client.post(seller_url("seller_offer", dispute), {"amount": "5.50"})

    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.stage == Stage.OFFER_WAITING_FOR_BUYER
    assert dispute.offer_amount == Decimal("5.50")
    page = page_of(client, dispute)
    assert "You offered a partial refund of €5.50." in page
    assert "Waiting for the buyer to answer your offer: they have until" in page


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("", "required"),
        ("five", "invalid"),
        ("0", DisputeErrorCode.INVALID_AMOUNT),
        ("12.99", DisputeErrorCode.INVALID_AMOUNT),
    ],
)
def test_offer_amount_is_refused_beside_the_field(log_in, buyer, amount, code):
    dispute = answerable_dispute(buyer)

    response = log_in(seller_of(dispute)).post(
        seller_url("seller_offer", dispute), {"amount": amount}
    )

    assert response.status_code == 200
    (error,) = response.context["offer_form"].errors.as_data()["amount"]
    assert error.code == code
    (message,) = error.messages
    assert message in text_of(response)
    dispute.refresh_from_db()
    assert dispute.stage == Stage.WAITING_FOR_SELLER


@pytest.mark.parametrize("typed", ["5,50", "5.50", "€5.50", "5,5"])
def test_the_seller_types_an_amount_as_the_buyer_does(log_in, buyer, typed):
    """One reading of amounts for everyone (orders.money.parse_amount): "5,50" on an
    English page too, as the buyer's wizard takes it."""
    dispute = answerable_dispute(buyer)
    response = log_in(seller_of(dispute)).post(
        seller_url("seller_offer", dispute), {"amount": typed}
    )
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.offer_amount == Decimal("5.50")


def test_the_amount_refused_has_the_focus_and_its_error_formatted_money(log_in, buyer):
    dispute = answerable_dispute(buyer)
    response = log_in(seller_of(dispute)).post(
        seller_url("seller_offer", dispute), {"amount": "12,99"}
    )
    page = response.content.decode()
    field = re.search(r'<input[^>]*name="amount"[^>]*>', page).group(0)
    assert "autofocus" in field
    assert 'aria-invalid="true"' in field
    assert "less than the price paid (€12.99)" in page
    assert page.count("autofocus") == 1


def test_an_offer_must_be_below_a_partial_request(log_in, buyer):
    dispute = answerable_dispute(buyer, refund_request="partial", requested_amount=Decimal("8.00"))
    client = log_in(seller_of(dispute))
    assert "less than the €8.00 the buyer asked for" in page_of(client, dispute)

    response = client.post(seller_url("seller_offer", dispute), {"amount": "8.00"})

    (error,) = response.context["offer_form"].errors.as_data()["amount"]
    assert error.code == DisputeErrorCode.OFFER_NOT_BELOW_REQUEST
    assert "The buyer asked for €8.00: accept the request instead" in text_of(response)
    dispute.refresh_from_db()
    assert dispute.offer_amount is None


# Refusing


def refuse(client, dispute, statement, *files):
    return client.post(
        seller_url("seller_refuse", dispute), {"statement": statement, "evidence": list(files)}
    )


def test_refusing_needs_a_statement_of_thirty_characters(log_in, buyer):
    dispute = answerable_dispute(buyer)

    response = refuse(log_in(seller_of(dispute)), dispute, "It was fine.")

    assert response.status_code == 200
    assert "Ensure this value has at least 30 characters" in text_of(response)
    dispute.refresh_from_db()
    assert dispute.stage == Stage.WAITING_FOR_SELLER


def test_seller_refuses_with_a_statement(log_in, buyer):
    dispute = answerable_dispute(buyer)
    client = log_in(seller_of(dispute))
    assert client.get(seller_url("seller_refuse", dispute)).status_code == 200

    response = refuse(client, dispute, STATEMENT)

    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.stage == Stage.WITH_MEDIATOR
    assert dispute.seller_statement == STATEMENT
    page = page_of(client, dispute)
    assert "You refused the buyer's request:" in page
    assert "The seller refused the request." in page  # why the mediators have it


def test_refusal_names_a_refused_file_and_keeps_the_accepted_one(log_in, buyer):
    dispute = answerable_dispute(buyer)
    seller = seller_of(dispute)
    client = log_in(seller)

    response = refuse(
        client,
        dispute,
        "Too short.",
        corpus_upload("good/png_photo_hopper.png", "SHIPPED.PNG"),
        corpus_upload("bad/exe_renamed.jpg", "IMG_2.JPG"),
    )

    assert response.status_code == 200
    page = text_of(response)
    assert "IMG_2.JPG is an executable program" in page
    assert "SHIPPED.PNG" in page  # kept in the refusal's draft
    [kept] = Evidence.objects.drafts(buyer=seller)
    assert kept.original_name == "SHIPPED.PNG"

    response = refuse(client, dispute, STATEMENT)

    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.stage == Stage.WITH_MEDIATOR
    assert [item.original_name for item in dispute.evidence.all()] == ["SHIPPED.PNG"]
    buyer_page = text_of(log_in(buyer).get(dispute.get_absolute_url()))
    assert "The seller refused your request:" in buyer_page
    assert STATEMENT in buyer_page
    assert file_url(kept, "thumbnail") in buyer_page
    assert log_in(buyer).get(file_url(kept, "thumbnail")).status_code == 200
    assert log_in(buyer).get(file_url(kept, "original")).status_code == 404


def test_refusal_page_goes_back_once_the_request_is_answered(log_in, buyer):
    dispute = offered_dispute(buyer)
    response = log_in(seller_of(dispute)).get(seller_url("seller_refuse", dispute))
    assert response.status_code == 302
    assert response["Location"] == seller_url("seller_detail", dispute)


def test_a_refusal_after_the_stage_moved_on_says_why_and_keeps_no_file(log_in, buyer):
    dispute = offered_dispute(buyer)

    response = refuse(
        log_in(seller_of(dispute)), dispute, STATEMENT, corpus_upload("good/png_photo_hopper.png")
    )

    assert response["Location"] == seller_url("seller_detail", dispute)
    assert flashed(response) == ["The buyer's request is no longer waiting for you."]
    assert not Evidence.objects.exists()


def test_an_answer_after_the_stage_moved_on_says_why(log_in, buyer):
    dispute = refused_dispute(buyer)

    response = log_in(seller_of(dispute)).post(seller_url("seller_accept", dispute))

    assert flashed(response) == ["The buyer's request is no longer waiting for you."]
    dispute.refresh_from_db()
    assert dispute.stage == Stage.WITH_MEDIATOR


# One account, both parties


def test_a_seller_cannot_answer_a_dispute_it_opened_as_the_buyer(log_in):
    seller = make_seller_account()
    dispute = open_dispute(seller.user, disputable_order(seller.user, seller=seller))
    client = log_in(seller.user)

    page = page_of(client, dispute)
    assert "You bought this order yourself" in page
    assert seller_url("seller_accept", dispute) not in page

    response = client.post(seller_url("seller_accept", dispute))

    assert flashed(response) == ["You cannot answer a dispute you opened."]
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.OPEN
    assert dispute.stage == Stage.WAITING_FOR_SELLER


# Only POST, only with the CSRF token


@pytest.mark.parametrize("url_name", ["seller_accept", "seller_offer", "seller_message"])
def test_answers_are_posts(log_in, buyer, url_name):
    dispute = answerable_dispute(buyer)
    assert log_in(seller_of(dispute)).get(seller_url(url_name, dispute)).status_code == 405


@pytest.mark.parametrize(
    ("url_name", "data"),
    [
        ("seller_accept", {}),
        ("seller_offer", {"amount": "5"}),
        ("seller_refuse", {"statement": STATEMENT}),
        ("seller_message", {"body": "Hello"}),
    ],
)
def test_answers_need_the_csrf_token(log_in, buyer, url_name, data):
    dispute = answerable_dispute(buyer)
    strict = log_in(seller_of(dispute), enforce_csrf_checks=True)
    assert strict.post(seller_url(url_name, dispute), data).status_code == 403
    dispute.refresh_from_db()
    assert dispute.stage == Stage.WAITING_FOR_SELLER
    assert not dispute.messages.exists()


def test_the_seller_sees_a_mediators_decision(log_in, buyer):
    dispute = refused_dispute(buyer)
    from tests.disputes.builders import make_mediator

    actions.decide_dispute(
        reason="evidence_shows_defect",
        dispute=dispute,
        mediator=make_mediator(),
        outcome=Outcome.REJECTED,
        note="The photos show the cable as it was described.",
    )
    page = page_of(log_in(seller_of(dispute)), dispute)
    assert "Decision: Rejected, in the seller's favour" in page
    assert "The photos show the cable as it was described." in page
    assert "Contact customer service" not in page


def test_files_over_the_limit_across_two_forms_keep_the_message_to_trim(log_in, buyer, settings):
    """The message's draft and the refusal's each took a file under a limit of one; the
    refusal went first, so the message is sent back with its words and what to do."""
    settings.EVIDENCE_MAX_FILES = 1
    dispute = answerable_dispute(buyer)
    client = log_in(seller_of(dispute))
    photo = "good/png_photo_hopper.png"
    message_url = seller_url("seller_message", dispute)
    client.post(message_url, {"body": "", "evidence": [corpus_upload(photo, "BOX.PNG")]})
    assert refuse(client, dispute, STATEMENT, corpus_upload(photo, "LABEL.PNG")).status_code == 302

    response = client.post(message_url, {"body": "The box, as it left us."})

    assert response.status_code == 200
    page = text_of(response)
    assert "You can send at most 1 files in a dispute and have sent 1: remove 1 file" in page
    assert "The box, as it left us." in page
    assert not dispute.messages.exists()
    assert [item.original_name for item in dispute.evidence.all()] == ["LABEL.PNG"]
