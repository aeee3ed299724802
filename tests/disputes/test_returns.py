"""Returning the item before the refund (PRODUCT.md §4e): the rules of the actions, what
silence does at each deadline, who pays the postage, and both parties' pages."""

import html
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from disputes import actions, tasks, timeline
from disputes.errors import DisputeErrorCode
from disputes.models import (
    Dispute,
    DisputeReason,
    DisputeStatus,
    EscalationReason,
    EventKind,
    Evidence,
    Outcome,
    Party,
    Stage,
)
from orders.models import Seller
from tests.conftest import corpus_upload, run_tasks
from tests.disputes.builders import (
    CARRIER,
    RETURN_ADDRESS,
    STATEMENT,
    TRACKING_NUMBER,
    answerable_dispute,
    answerable_dispute_at,
    make_mediator,
    make_seller_account,
    refused_dispute,
    return_decided_dispute,
    return_on_its_way_dispute,
    return_to_ship_dispute,
    seller_of,
)
from tests.factories import FIXED_NOW, make_user

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
SECOND = timedelta(seconds=1)
OPENED = FIXED_NOW


def text_of(response):
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def ship(dispute, *, now=None):
    return actions.ship_return(
        dispute=dispute,
        buyer=dispute.order.buyer,
        carrier=CARRIER,
        tracking_number=TRACKING_NUMBER,
        now=now,
    )


# Asking for the item back


def test_the_seller_accepting_if_returned_gives_the_buyer_ten_days_and_the_address(buyer):
    dispute = answerable_dispute_at(buyer, OPENED)

    dispute = actions.accept_if_returned(
        dispute=dispute, seller=seller_of(dispute), now=OPENED + DAY
    )

    assert (dispute.status, dispute.stage) == (DisputeStatus.OPEN, Stage.RETURN_TO_SHIP)
    assert dispute.stage_deadline == OPENED + 11 * DAY
    assert dispute.return_address == RETURN_ADDRESS
    assert dispute.return_asked_by == seller_of(dispute)
    event = dispute.events.get(kind=EventKind.RETURN_ASKED)
    assert event.details == {
        "by": "seller",
        "postage_paid_by": Party.SELLER,  # the buyer said the item was defective
        "return_address": RETURN_ADDRESS,
    }


@pytest.mark.parametrize(
    ("reason", "payer"),
    [
        (DisputeReason.NOT_AS_DESCRIBED, Party.SELLER),
        (DisputeReason.DEFECTIVE, Party.SELLER),
        (DisputeReason.WRONG_ITEM, Party.SELLER),
        (DisputeReason.MISSING_PARTS, Party.SELLER),
        (DisputeReason.COUNTERFEIT, Party.SELLER),
        (DisputeReason.OTHER, Party.BUYER),
    ],
)
def test_the_seller_pays_the_postage_when_the_item_was_at_fault(buyer, reason, payer):
    assert return_to_ship_dispute(buyer, reason=reason).return_postage_paid_by == payer


def test_the_address_given_to_the_buyer_stays_when_the_seller_changes_theirs(buyer):
    dispute = return_to_ship_dispute(buyer)
    Seller.objects.filter(pk=dispute.order.seller_id).update(return_address="Elsewhere")

    dispute.refresh_from_db()
    assert dispute.return_address == RETURN_ADDRESS


def test_no_return_is_asked_without_a_return_address(buyer):
    dispute = answerable_dispute(buyer)
    Seller.objects.filter(pk=dispute.order.seller_id).update(return_address="  ")

    with pytest.raises(actions.DisputeActionError) as error:
        actions.accept_if_returned(dispute=dispute, seller=seller_of(dispute))

    assert error.value.code == DisputeErrorCode.NO_RETURN_ADDRESS
    dispute.refresh_from_db()
    assert dispute.stage == Stage.WAITING_FOR_SELLER


def test_a_mediator_decides_a_refund_after_return_with_a_note(buyer):
    dispute = return_decided_dispute(buyer)

    assert dispute.stage == Stage.RETURN_TO_SHIP
    assert dispute.return_decided_by_mediator
    assert dispute.events.get(kind=EventKind.RETURN_ASKED).details["by"] == "mediator"


def test_the_buyer_cannot_cancel_once_a_refund_waits_for_the_return(buyer):
    dispute = return_to_ship_dispute(buyer)

    with pytest.raises(actions.DisputeActionError) as error:
        actions.cancel_dispute(dispute=dispute, buyer=buyer)

    assert error.value.code == DisputeErrorCode.WRONG_STAGE
    assert not Dispute.objects.get(pk=dispute.pk).can_be_cancelled


def test_the_buyer_asks_for_mediation_from_the_page_instead_of_the_return(log_in, buyer):
    dispute = return_to_ship_dispute(buyer)

    response = log_in(buyer).post(
        reverse("disputes:ask_for_mediation", args=[dispute.pk]), follow=True
    )

    assert "You asked for mediation instead of the return" in text_of(response)
    assert Dispute.objects.get(pk=dispute.pk).stage == Stage.WITH_MEDIATOR


def test_the_buyer_may_refuse_the_sellers_condition_and_ask_for_mediation(buyer):
    dispute = actions.ask_for_mediation(dispute=return_to_ship_dispute(buyer), buyer=buyer)

    assert dispute.stage == Stage.WITH_MEDIATOR
    assert dispute.escalation_reason == EscalationReason.BUYER_ASKED


# Shipping it back


def test_shipping_the_return_gives_the_seller_fifteen_days_from_the_tracking(buyer):
    dispute = return_to_ship_dispute(buyer, opened=OPENED)

    dispute = ship(dispute, now=OPENED + 4 * DAY)

    assert dispute.stage == Stage.RETURN_ON_ITS_WAY
    assert dispute.stage_deadline == OPENED + 19 * DAY
    assert (dispute.return_carrier, dispute.return_tracking_number) == (CARRIER, TRACKING_NUMBER)
    assert dispute.return_shipped_at == OPENED + 4 * DAY
    event = dispute.events.get(kind=EventKind.RETURN_SHIPPED)
    assert event.details == {
        "carrier": CARRIER,
        "tracking_number": TRACKING_NUMBER,
        "evidence": [],
    }


@pytest.mark.parametrize(("carrier", "tracking"), [("", TRACKING_NUMBER), (CARRIER, "  ")])
def test_a_return_is_shipped_with_its_carrier_and_tracking_number(buyer, carrier, tracking):
    dispute = return_to_ship_dispute(buyer)

    with pytest.raises(actions.DisputeActionError) as error:
        actions.ship_return(dispute=dispute, buyer=buyer, carrier=carrier, tracking_number=tracking)

    assert error.value.code == DisputeErrorCode.TRACKING_REQUIRED


# The seller's answer once it is on its way


def test_the_return_confirmed_ends_by_agreement_with_a_full_refund(buyer):
    dispute = return_on_its_way_dispute(buyer)
    seller = seller_of(dispute)

    dispute = actions.confirm_return_arrived(dispute=dispute, seller=seller)

    assert (dispute.status, dispute.outcome) == (DisputeStatus.AGREED, Outcome.FULL_REFUND)
    assert dispute.refunded_amount == dispute.order.price
    assert dispute.decided_by == seller
    event = dispute.events.get(kind=EventKind.RETURN_ARRIVED)
    assert event.details == {"refund_amount": str(dispute.order.price)}


def test_a_mediators_refund_after_return_ends_as_their_decision(buyer):
    dispute = ship(return_decided_dispute(buyer))

    dispute = actions.confirm_return_arrived(dispute=dispute, seller=seller_of(dispute))

    assert (dispute.status, dispute.outcome) == (DisputeStatus.DECIDED, Outcome.FULL_REFUND)
    assert dispute.decided_by == dispute.return_asked_by
    assert not dispute.is_against_buyer


def test_a_problem_with_the_returned_item_goes_to_the_mediators(buyer):
    dispute = return_on_its_way_dispute(buyer)

    dispute = actions.report_return_problem(
        dispute=dispute, seller=seller_of(dispute), statement=STATEMENT
    )

    assert dispute.stage == Stage.WITH_MEDIATOR
    assert dispute.escalation_reason == EscalationReason.SELLER_REPORTED_RETURN_PROBLEM
    assert dispute.return_problem == STATEMENT
    assert [event.kind for event in dispute.events.order_by("pk")][-2:] == [
        EventKind.RETURN_PROBLEM,
        EventKind.ESCALATED,
    ]


def test_a_problem_is_explained_in_thirty_characters(buyer):
    dispute = return_on_its_way_dispute(buyer)

    with pytest.raises(actions.DisputeActionError) as error:
        actions.report_return_problem(
            dispute=dispute, seller=seller_of(dispute), statement="Broken."
        )

    assert error.value.code == DisputeErrorCode.STATEMENT_TOO_SHORT


# Silence, at its deadline


def test_a_return_not_shipped_in_time_goes_to_the_mediators_never_against_the_buyer(buyer):
    dispute = return_to_ship_dispute(buyer, opened=OPENED)
    deadline = OPENED + 11 * DAY

    assert actions.act_on_deadline(dispute_id=dispute.pk, now=deadline - SECOND) is None
    actions.act_on_deadline(dispute_id=dispute.pk, now=deadline)

    dispute.refresh_from_db()
    assert (dispute.status, dispute.stage) == (DisputeStatus.OPEN, Stage.WITH_MEDIATOR)
    assert dispute.escalation_reason == EscalationReason.BUYER_DID_NOT_SHIP_RETURN
    assert dispute.outcome is None


def test_the_sellers_silence_once_the_return_is_on_its_way_releases_the_refund(buyer):
    dispute = ship(return_to_ship_dispute(buyer, opened=OPENED), now=OPENED + 4 * DAY)
    deadline = OPENED + 19 * DAY

    assert actions.act_on_deadline(dispute_id=dispute.pk, now=deadline - SECOND) is None
    actions.act_on_deadline(dispute_id=dispute.pk, now=deadline)

    dispute.refresh_from_db()
    assert (dispute.status, dispute.outcome) == (DisputeStatus.AGREED, Outcome.FULL_REFUND)
    assert (dispute.decided_by, dispute.decided_at) == (seller_of(dispute), deadline)
    event = dispute.events.get(kind=EventKind.RETURN_REFUND_RELEASED)
    assert (event.actor, event.created_at) == (None, deadline)


def test_a_late_confirmation_is_refused_and_says_the_refund_was_released(buyer):
    dispute = ship(return_to_ship_dispute(buyer, opened=OPENED), now=OPENED + 4 * DAY)

    with pytest.raises(actions.DisputeActionError) as error:
        actions.report_return_problem(
            dispute=dispute, seller=seller_of(dispute), statement=STATEMENT, now=OPENED + 20 * DAY
        )

    assert error.value.code == DisputeErrorCode.DEADLINE_PASSED
    assert "the refund was released" in error.value.message
    assert Dispute.objects.get(pk=dispute.pk).status == DisputeStatus.AGREED


@pytest.mark.parametrize(
    ("build", "party"),
    [(return_to_ship_dispute, Party.BUYER), (return_on_its_way_dispute, Party.SELLER)],
)
def test_a_reminder_goes_to_whoever_acts_48_hours_before_the_deadline(buyer, build, party):
    dispute = build(buyer)
    run_tasks()
    mail.outbox.clear()
    recipient = buyer if party == Party.BUYER else seller_of(dispute)

    assert tasks.remind_party.call(dispute.pk, dispute.stage_deadline.isoformat()) is True
    run_tasks()

    (email,) = mail.outbox
    assert email.to == [recipient.email]
    from django_tasks_db.models import DBTaskResult

    reminders = DBTaskResult.objects.filter(task_path="disputes.tasks.remind_party")
    assert any(
        task.run_after == dispute.stage_deadline - 48 * HOUR
        and task.args_kwargs["args"][0] == dispute.pk
        for task in reminders
    )


# Every step is an event: timeline, emails


def test_the_timeline_tells_each_step_with_the_tracking(buyer):
    dispute = actions.confirm_return_arrived(
        dispute=(shipped := return_on_its_way_dispute(buyer)), seller=seller_of(shipped)
    )
    sentences = [timeline.describe(event, dispute.order) for event in dispute.events.all()]

    assert (
        "Seller accepted the request if the item is returned; the seller pays the return postage"
        in sentences
    )
    assert f"Buyer shipped the return: {CARRIER}, tracking number {TRACKING_NUMBER}" in sentences
    assert "Seller confirmed the return arrived: a refund of 12.99 EUR" in sentences


def test_the_buyer_is_emailed_the_address_and_who_pays_before_shipping(buyer):
    mail.outbox.clear()
    dispute = return_to_ship_dispute(buyer)
    run_tasks()

    (email,) = [email for email in mail.outbox if email.to == [buyer.email]]
    assert email.subject == f"Return the item of order {dispute.order.number} for your refund"
    assert RETURN_ADDRESS in email.body
    assert "The seller pays the return postage" in email.body
    assert "Ship it by" in email.body


def test_the_seller_is_emailed_when_the_return_is_shipped(buyer):
    dispute = return_to_ship_dispute(buyer)
    run_tasks()
    mail.outbox.clear()

    ship(dispute)
    run_tasks()

    (email,) = mail.outbox
    assert email.to == [seller_of(dispute).email]
    assert "The buyer shipped the return of order" in email.body
    assert "It is your turn: please answer by" in email.body


# The pages


def test_the_seller_page_offers_to_accept_if_the_item_is_returned(log_in, buyer):
    dispute = answerable_dispute(buyer)
    seller = log_in(seller_of(dispute))

    page = text_of(seller.get(reverse("disputes:seller_detail", args=[dispute.pk])))
    assert "Accept if the item is returned" in page
    assert "You pay the return postage: the buyer reports a fault with the item." in page
    assert "12 rue des Retours" in page

    response = seller.post(reverse("disputes:seller_accept_if_returned", args=[dispute.pk]))
    assert response.status_code == 302
    page = text_of(seller.get(reverse("disputes:seller_detail", args=[dispute.pk])))
    assert "Waiting for the buyer to ship the item back: they have until" in page


def test_a_seller_without_a_return_address_is_sent_to_set_it(log_in, buyer):
    dispute = answerable_dispute(buyer)
    Seller.objects.filter(pk=dispute.order.seller_id).update(return_address="")

    page = text_of(
        log_in(seller_of(dispute)).get(reverse("disputes:seller_detail", args=[dispute.pk]))
    )

    assert "Set your return address first" in page
    assert reverse("orders:return_address") in page


def test_the_buyer_page_shows_the_address_who_pays_and_by_when(log_in, buyer):
    dispute = return_to_ship_dispute(buyer, reason=DisputeReason.OTHER)

    page = text_of(log_in(buyer).get(reverse("disputes:detail", args=[dispute.pk])))

    assert "It is your turn: send the item back to the return address below" in page
    assert "12 rue des Retours" in page
    assert "You pay the return postage." in page
    assert reverse("disputes:ship_return", args=[dispute.pk]) in page
    assert "Cancel dispute" not in page


def test_the_buyer_enters_the_tracking_and_both_pages_say_the_seller_acts(log_in, buyer):
    dispute = return_to_ship_dispute(buyer)
    client = log_in(buyer)
    form = text_of(client.get(reverse("disputes:ship_return", args=[dispute.pk])))
    assert "12 rue des Retours" in form

    response = client.post(
        reverse("disputes:ship_return", args=[dispute.pk]),
        {"carrier": CARRIER, "tracking_number": TRACKING_NUMBER},
    )

    assert response.status_code == 302
    buyer_page = text_of(client.get(reverse("disputes:detail", args=[dispute.pk])))
    assert "The return is on its way: the seller has until" in buyer_page
    assert TRACKING_NUMBER in buyer_page
    seller_page = text_of(
        log_in(seller_of(dispute)).get(reverse("disputes:seller_detail", args=[dispute.pk]))
    )
    assert "It is your turn: confirm the return arrived" in seller_page
    assert "Confirm the return arrived" in seller_page


def test_a_photo_of_the_receipt_goes_through_the_evidence_checks(log_in, buyer, evidence_root):
    dispute = return_to_ship_dispute(buyer)
    client = log_in(buyer)
    url = reverse("disputes:ship_return", args=[dispute.pk])
    tracking = {"carrier": CARRIER, "tracking_number": TRACKING_NUMBER}

    refused = client.post(url, tracking | {"evidence": corpus_upload("bad/exe_renamed.jpg")})
    assert "exe_renamed.jpg" in text_of(refused)
    assert Dispute.objects.get(pk=dispute.pk).stage == Stage.RETURN_TO_SHIP

    receipt = corpus_upload("good/png_photo_hopper.png", name="receipt.png")
    assert client.post(url, tracking | {"evidence": receipt}).status_code == 302
    shipped = dispute.events.get(kind=EventKind.RETURN_SHIPPED)
    assert shipped.details["evidence"] == ["receipt.png"]
    assert Evidence.objects.get(dispute=dispute).uploaded_by == buyer


def test_a_tracking_form_without_its_number_is_shown_again(log_in, buyer):
    dispute = return_to_ship_dispute(buyer)

    response = log_in(buyer).post(
        reverse("disputes:ship_return", args=[dispute.pk]), {"carrier": CARRIER}
    )

    assert "Enter the tracking number." in text_of(response)
    assert Dispute.objects.get(pk=dispute.pk).stage == Stage.RETURN_TO_SHIP


def test_the_seller_reports_a_problem_with_a_statement(log_in, buyer):
    dispute = return_on_its_way_dispute(buyer)
    seller = log_in(seller_of(dispute))
    url = reverse("disputes:seller_return_problem", args=[dispute.pk])
    assert "Report a problem with the returned item" in text_of(seller.get(url))

    response = seller.post(url, {"statement": STATEMENT})

    assert response.status_code == 302
    assert Dispute.objects.get(pk=dispute.pk).stage == Stage.WITH_MEDIATOR


def test_another_buyers_or_sellers_return_answers_404(log_in, buyer):
    dispute = return_on_its_way_dispute(buyer)
    stranger = log_in(make_user("mallory"))
    other_seller = log_in(make_seller_account("other-seller", "Another Store").user)

    assert stranger.get(reverse("disputes:ship_return", args=[dispute.pk])).status_code == 404
    for name in ("seller_confirm_return", "seller_return_problem"):
        url = reverse(f"disputes:{name}", args=[dispute.pk])
        assert other_seller.post(url).status_code == 404
    assert Dispute.objects.get(pk=dispute.pk).stage == Stage.RETURN_ON_ITS_WAY


def test_confirming_the_return_needs_a_post_with_csrf(log_in, buyer):
    dispute = return_on_its_way_dispute(buyer)
    url = reverse("disputes:seller_confirm_return", args=[dispute.pk])

    assert log_in(seller_of(dispute)).get(url).status_code == 405
    assert log_in(seller_of(dispute), enforce_csrf_checks=True).post(url).status_code == 403
    assert Dispute.objects.get(pk=dispute.pk).is_open


def test_the_mediator_decides_refund_after_return_in_the_admin(buyer):
    dispute = refused_dispute(buyer)
    admin = Client()
    admin.force_login(make_mediator())

    response = admin.post(
        reverse("admin:disputes_dispute_decide", args=[dispute.pk]),
        {
            "outcome": "refund_after_return",
            "reason": "partly_justified",
            "note": "Send it back for a full refund.",
        },
    )

    assert response.status_code == 302
    dispute.refresh_from_db()
    assert (dispute.stage, dispute.decision_note) == (
        Stage.RETURN_TO_SHIP,
        "Send it back for a full refund.",
    )


def test_the_queue_filters_the_return_stages(buyer):
    shipping, on_its_way = return_to_ship_dispute(buyer), return_on_its_way_dispute(buyer)
    admin = Client()
    admin.force_login(make_mediator())

    for dispute, stage in ((shipping, Stage.RETURN_TO_SHIP), (on_its_way, Stage.RETURN_ON_ITS_WAY)):
        page = text_of(
            admin.get(
                reverse("admin:disputes_dispute_changelist"), {"status": "all", "stage": stage}
            )
        )
        assert dispute.order.number in page
        assert str(stage.label) in page
    assert "Seller must confirm the return by" in page  # who acts next, and by when


# The seller's return address


def test_the_seller_sets_their_return_address_in_their_account(log_in):
    seller = make_seller_account()
    Seller.objects.filter(pk=seller.pk).update(return_address="")
    client = log_in(seller.user)
    assert "You have not set a return address" in text_of(client.get(reverse("orders:account")))

    response = client.post(reverse("orders:return_address"), {"return_address": RETURN_ADDRESS})

    assert response.status_code == 302
    assert Seller.objects.get(pk=seller.pk).return_address == RETURN_ADDRESS


def test_the_return_address_page_is_a_sellers_only(log_in):
    assert log_in(make_user("bob2")).get(reverse("orders:return_address")).status_code == 404


def test_the_return_address_is_saved_by_a_post_with_csrf(log_in):
    seller = make_seller_account()
    client = log_in(seller.user, enforce_csrf_checks=True)

    response = client.post(reverse("orders:return_address"), {"return_address": "Elsewhere"})

    assert response.status_code == 403
    assert Seller.objects.get(pk=seller.pk).return_address == RETURN_ADDRESS


def test_the_mediators_see_the_return_on_the_disputes_page(buyer):
    dispute = return_on_its_way_dispute(buyer)
    admin = Client()
    admin.force_login(make_mediator())

    page = text_of(admin.get(reverse("admin:disputes_dispute_change", args=[dispute.pk])))

    assert TRACKING_NUMBER in page
    assert "12 rue des Retours" in page
    assert f"Buyer shipped the return: {CARRIER}, tracking number {TRACKING_NUMBER}" in page


def test_the_order_page_says_who_acts_on_the_return(log_in, buyer):
    dispute = return_on_its_way_dispute(buyer)

    page = text_of(log_in(buyer).get(reverse("orders:detail", args=[dispute.order.number])))

    assert "The return is on its way: the seller has until" in page


def test_the_return_address_form_leads_back_to_the_dispute_not_elsewhere(log_in, buyer):
    dispute = answerable_dispute(buyer)
    client = log_in(seller_of(dispute))
    page = reverse("disputes:seller_detail", args=[dispute.pk])
    url = reverse("orders:return_address")

    back = client.post(url, {"return_address": RETURN_ADDRESS, "next": page})
    elsewhere = client.post(
        url, {"return_address": RETURN_ADDRESS, "next": "https://evil.example/"}
    )

    assert back.url == page
    assert elsewhere.url == reverse("orders:account")
