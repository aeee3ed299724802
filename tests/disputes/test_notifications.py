"""Who is emailed about each event, in which language, and what the email holds (PRODUCT.md §4d).

Every event emails the parties it concerns but not the person who caused it, except the
buyer's acknowledgement of a dispute opened or reopened and of an appeal sent; an
information request only the party asked; an escalation caused by a refusal is told in the
refusal's email. Emails are composed and sent by the worker
(``run_tasks`` here), and a mail server that fails loses neither the event nor the email.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import formats, timezone, translation
from django_tasks_db.models import DBTaskResult

from disputes import actions, notifications, refunds, tasks
from disputes.models import Dispute, DisputeEvent, EventKind, Outcome, Party
from tests.accounts.links import email_links_in, link_of
from tests.conftest import run_tasks
from tests.disputes.builders import (
    DESCRIPTION,
    OFFER,
    STATEMENT,
    agreed_dispute,
    answerable_dispute,
    decided_dispute,
    extended_dispute,
    information_requested_dispute,
    make_mediator,
    not_received_dispute,
    offered_dispute,
    parcel_arrived_dispute,
    refused_dispute,
    return_decided_dispute,
    return_on_its_way_dispute,
    return_to_ship_dispute,
    seller_of,
)

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"
SECRET = "Internal: the seller has lied to us twice before."


def then(build, act):
    """A scenario: the dispute ``build`` makes, once ``act(dispute, buyer)`` was done to it."""

    def scenario(buyer):
        dispute = build(buyer)
        act(dispute, buyer)
        return Dispute.objects.get(pk=dispute.pk)

    return scenario


def _deadline_passes(dispute, buyer):
    actions.act_on_deadline(dispute_id=dispute.pk, now=dispute.stage_deadline)


def _decide(dispute, buyer):
    actions.decide_dispute(
        reason="evidence_shows_defect",
        dispute=dispute,
        mediator=make_mediator(),
        outcome=Outcome.REJECTED,
        note="The photos do not show the fault described.",
    )


def _reopen(dispute, buyer):
    actions.reopen_dispute(
        dispute=dispute,
        buyer=buyer,
        reason="wrong_item",
        refund_request="full",
        description=DESCRIPTION,
    )


cancel = then(answerable_dispute, lambda d, b: actions.cancel_dispute(dispute=d, buyer=b))
reopen = then(cancel, _reopen)
accept_offer = then(offered_dispute, lambda d, b: actions.accept_offer(dispute=d, buyer=b))
ask_for_mediation = then(
    offered_dispute, lambda d, b: actions.ask_for_mediation(dispute=d, buyer=b)
)
seller_silent = then(answerable_dispute, _deadline_passes)
information_lapsed = then(information_requested_dispute, _deadline_passes)
buyer_writes = then(
    answerable_dispute, lambda d, b: actions.post_message(dispute=d, author=b, body="Any news?")
)
mediator_writes = then(
    refused_dispute,
    lambda d, b: actions.post_message(dispute=d, author=make_mediator(), body="Patience."),
)
add_evidence = then(
    answerable_dispute, lambda d, b: actions.add_evidence(dispute=d, uploader=b, evidence=[])
)
decide = then(refused_dispute, _decide)
appeal = then(
    decide, lambda d, b: actions.send_appeal(dispute=d, appellant=b, message="Nobody answered me.")
)
answer_appeal = then(
    appeal,
    lambda d, b: actions.answer_appeal(
        reason="item_as_described", appeal=d.appeal, mediator=make_mediator(), answer="Seen."
    ),
)

assign = then(
    refused_dispute,
    lambda d, b: actions.assign_dispute(
        dispute=d, mediator=make_mediator(), assignee=make_mediator()
    ),
)
read_new_information = then(
    then(refused_dispute, lambda d, b: actions.post_message(dispute=d, author=b, body="Photos?")),
    lambda d, b: actions.mark_new_information_read(dispute=d, mediator=make_mediator()),
)
return_confirmed = then(
    return_on_its_way_dispute,
    lambda d, b: actions.confirm_return_arrived(dispute=d, seller=seller_of(d)),
)
return_problem = then(
    return_on_its_way_dispute,
    lambda d, b: actions.report_return_problem(dispute=d, seller=seller_of(d), statement=STATEMENT),
)
return_not_confirmed = then(return_on_its_way_dispute, _deadline_passes)


def _refund_reported(report):
    def act(dispute, buyer):
        refund = dispute.refund_instructions.get()
        if report == "executed":
            refunds.report_executed(
                refund_id=refund.public_id, reference="TX-1", executed_at=timezone.now()
            )
        else:
            refunds.report_failed(refund_id=refund.public_id, reason="Card expired")

    return then(agreed_dispute, act)


def proved_delivery(buyer):
    dispute = not_received_dispute(buyer)
    return actions.refuse_with_proof_of_delivery(
        dispute=dispute,
        seller=seller_of(dispute),
        carrier="La Poste",
        tracking_number="6A123",
        statement=STATEMENT,
    )


def accept_extension(buyer):
    return actions.accept_extension(dispute=extended_dispute(buyer), buyer=buyer)


def refuse_extension(buyer):
    return actions.refuse_extension(dispute=extended_dispute(buyer), buyer=buyer)


def keep_with_another_reason(buyer):
    return actions.keep_with_another_reason(
        dispute=parcel_arrived_dispute(buyer),
        buyer=buyer,
        reason="defective",
        description=DESCRIPTION,
    )


# case: (event kind, how the dispute gets it last, who is emailed about it)
BUYER, SELLER = Party.BUYER, Party.SELLER


def settled_above_the_outcome(buyer):
    """A refund lowered after it was instructed (as by an appeal), settled by a mediator."""
    dispute = decided_dispute(buyer, Outcome.PARTIAL_REFUND, Decimal("6.00"))
    Dispute.objects.filter(pk=dispute.pk).update(refund_amount=Decimal("1.00"))
    return refunds.settle_excess(dispute=dispute, mediator=make_mediator())


CASES = {
    "opened": (EventKind.OPENED, answerable_dispute, {BUYER, SELLER}),
    "reopened": (EventKind.REOPENED, reopen, {BUYER, SELLER}),
    "seller_accepted": (EventKind.SELLER_ACCEPTED, agreed_dispute, {BUYER}),
    "offer_made": (EventKind.OFFER_MADE, offered_dispute, {BUYER}),
    "offer_accepted": (EventKind.OFFER_ACCEPTED, accept_offer, {SELLER}),
    "offer_refused": (EventKind.OFFER_REFUSED, ask_for_mediation, {SELLER}),
    "escalated_by_the_buyer": (EventKind.ESCALATED, ask_for_mediation, set()),
    "seller_refused": (EventKind.SELLER_REFUSED, refused_dispute, {BUYER}),
    "escalated_by_the_seller": (EventKind.ESCALATED, refused_dispute, set()),
    "escalated_by_a_deadline": (EventKind.ESCALATED, seller_silent, {BUYER, SELLER}),
    "information_from_the_seller": (
        EventKind.INFORMATION_REQUESTED,
        information_requested_dispute,
        {SELLER},
    ),
    "information_from_the_buyer": (
        EventKind.INFORMATION_REQUESTED,
        lambda buyer: information_requested_dispute(buyer, Party.BUYER),
        {BUYER},
    ),
    "information_lapsed": (EventKind.INFORMATION_LAPSED, information_lapsed, {SELLER}),
    "message_from_the_buyer": (EventKind.MESSAGE, buyer_writes, {SELLER}),
    "message_from_a_mediator": (EventKind.MESSAGE, mediator_writes, {BUYER, SELLER}),
    # The information request's own email announces its question.
    "question_of_an_information_request": (
        EventKind.MESSAGE,
        information_requested_dispute,
        set(),
    ),
    "cancelled": (EventKind.CANCELLED, cancel, {SELLER}),
    "evidence_added": (EventKind.EVIDENCE_ADDED, add_evidence, {SELLER}),
    "decided": (EventKind.DECIDED, decide, {BUYER, SELLER}),
    "appeal_sent": (EventKind.APPEAL_SENT, appeal, {BUYER, SELLER}),
    "appeal_answered": (EventKind.APPEAL_ANSWERED, answer_appeal, {BUYER, SELLER}),
    # The outcome's own email told of the refund; its failure is the mediators' to follow.
    "refund_instructed": (EventKind.REFUND_INSTRUCTED, agreed_dispute, set()),
    "refund_executed": (EventKind.REFUND_EXECUTED, _refund_reported("executed"), {BUYER}),
    "refund_failed": (EventKind.REFUND_FAILED, _refund_reported("failed"), set()),
    # A parcel that never arrived (PRODUCT.md §2a).
    "delivery_proved": (EventKind.DELIVERY_PROVED, proved_delivery, {BUYER}),
    "delivery_extended": (EventKind.DELIVERY_EXTENDED, extended_dispute, {BUYER}),
    "extension_accepted": (EventKind.EXTENSION_ACCEPTED, accept_extension, {SELLER}),
    "extension_refused": (EventKind.EXTENSION_REFUSED, refuse_extension, {SELLER}),
    "reason_changed": (EventKind.REASON_CHANGED, keep_with_another_reason, {SELLER}),
    "return_asked_by_the_seller": (EventKind.RETURN_ASKED, return_to_ship_dispute, {BUYER}),
    "return_decided": (EventKind.RETURN_ASKED, return_decided_dispute, {BUYER, SELLER}),
    "return_shipped": (EventKind.RETURN_SHIPPED, return_on_its_way_dispute, {SELLER}),
    "return_arrived": (EventKind.RETURN_ARRIVED, return_confirmed, {BUYER}),
    "return_problem": (EventKind.RETURN_PROBLEM, return_problem, {BUYER}),
    "return_refund_released": (
        EventKind.RETURN_REFUND_RELEASED,
        return_not_confirmed,
        {BUYER, SELLER},
    ),
    # The mediators' own bookkeeping: nobody is emailed.
    "assigned": (EventKind.ASSIGNED, assign, set()),
    "new_information_read": (EventKind.NEW_INFORMATION_READ, read_new_information, set()),
    "refund_settled": (EventKind.REFUND_SETTLED, settled_above_the_outcome, set()),
}


def test_every_event_kind_is_covered():
    assert {kind for kind, _build, _to in CASES.values()} == set(EventKind.values)


def latest_event(dispute, kind):
    return (
        DisputeEvent.objects.select_related("dispute__order__buyer", "dispute__order__seller__user")
        .filter(dispute_id=dispute.pk, kind=kind)
        .latest("pk")
    )


@pytest.mark.parametrize("case", CASES)
def test_who_is_emailed_about_each_event(buyer, case):
    kind, build, parties = CASES[case]
    event = latest_event(build(buyer), kind)
    people = {BUYER: buyer, SELLER: seller_of(event.dispute)}

    emails = notifications.event_emails(event)

    assert sorted(email.to for email in emails) == sorted(people[p].email for p in parties)
    if event.actor is not None and event.kind not in notifications.ACKNOWLEDGEMENTS:
        assert event.actor.email not in {email.to for email in emails}


@pytest.mark.parametrize("case", CASES)
def test_each_email_names_the_order_and_links_its_readers_page(buyer, case):
    kind, build, _parties = CASES[case]
    event = latest_event(build(buyer), kind)
    dispute = event.dispute

    for email in notifications.event_emails(event):
        page = "disputes:detail" if email.to == buyer.email else "disputes:seller_detail"
        assert dispute.order.number in email.subject
        (token,) = email_links_in(email.body)  # a link that signs its reader in
        link = link_of(token)
        assert link.next_path == reverse(page, args=[dispute.pk])
        assert link.user.email == email.to


def test_the_worker_sends_the_emails_of_an_action_not_the_action(buyer):
    dispute = answerable_dispute(buyer)
    assert mail.outbox == []  # nothing is sent inside the request

    run_tasks()

    assert sorted(email.to for email in mail.outbox) == [[buyer.email], [seller_of(dispute).email]]


def test_the_question_a_mediator_asks_is_announced_to_the_party_asked_only(buyer):
    dispute = refused_dispute(buyer)
    run_tasks()
    mail.outbox.clear()

    actions.request_information(
        dispute=dispute, mediator=make_mediator(), party=Party.SELLER, message="Which cable?"
    )
    run_tasks()

    (email,) = mail.outbox
    assert email.to == [seller_of(dispute).email]
    assert "needs information from you" in email.body


# Deadlines in emails: the reader's next step, and the date in their language and zone.


def shown(moment, language, zone="Europe/Paris"):
    with translation.override(language), timezone.override(zone):
        return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def test_the_party_who_must_act_is_told_by_when(buyer):
    dispute = offered_dispute(buyer)
    (email,) = notifications.event_emails(latest_event(dispute, EventKind.OFFER_MADE))

    assert f"It is your turn: please answer by {shown(dispute.stage_deadline, 'en')}." in (
        email.body
    )


def test_the_other_party_is_told_who_acts_next_and_by_when(buyer):
    dispute = mediator_writes(buyer)
    emails = notifications.event_emails(latest_event(dispute, EventKind.MESSAGE))

    expected = f"a decision is expected by {shown(dispute.stage_deadline, 'en')}."
    assert all(expected in email.body for email in emails)


def test_a_date_is_written_in_the_readers_time_zone(buyer):
    dispute = offered_dispute(buyer)
    buyer.time_zone = "America/New_York"
    buyer.save()

    (email,) = notifications.event_emails(latest_event(dispute, EventKind.OFFER_MADE))

    assert shown(dispute.stage_deadline, "en", "America/New_York") in email.body


# Languages: a buyer's is the dispute's, a seller's the one they last signed in with.


def test_the_buyer_reads_the_language_the_dispute_was_opened_in(buyer):
    buyer.language = "en"
    buyer.save()
    with translation.override("fr"):
        dispute = answerable_dispute(buyer)
    actions.make_offer(dispute=dispute, seller=seller_of(dispute), amount=OFFER)

    (email,) = notifications.event_emails(latest_event(dispute, EventKind.OFFER_MADE))

    assert email.body.startswith("Bonjour alice,")
    assert shown(dispute.stage_deadline, "fr") in email.body  # "… à 14:00 CET"


def test_the_seller_reads_their_own_language_not_the_buyers(buyer):
    with translation.override("en"):
        dispute = answerable_dispute(buyer)
    seller = seller_of(dispute)
    seller.language = "fr"
    seller.save()

    _, email = notifications.event_emails(latest_event(dispute, EventKind.OPENED))

    assert email.body.startswith("Bonjour szgadget,")
    assert shown(dispute.stage_deadline, "fr") in email.body


def test_a_seller_who_never_signed_in_reads_the_sites_language(buyer):
    with translation.override("fr"):
        dispute = answerable_dispute(buyer)

    _, email = notifications.event_emails(latest_event(dispute, EventKind.OPENED))

    assert email.body.startswith("Hello szgadget,")


def test_signing_in_in_french_makes_the_sellers_emails_french(buyer, client):
    dispute = answerable_dispute(buyer)
    seller = seller_of(dispute)

    # The test client leaves the request's language active: keep it to the request.
    with translation.override(translation.get_language()):
        client.post(
            reverse("login"),
            {"username": seller.username, "password": "correct-horse-battery"},
            HTTP_ACCEPT_LANGUAGE="fr",
        )
    seller.refresh_from_db()
    assert seller.language == "fr"

    actions.post_message(dispute=dispute, author=buyer, body="Bonjour, des nouvelles ?")
    (email,) = notifications.event_emails(latest_event(dispute, EventKind.MESSAGE))
    assert email.body.startswith("Bonjour szgadget,")


# Internal notes are for mediators only: never an email, never in one.


def test_an_internal_note_sends_no_email_and_never_appears_in_one(buyer):
    dispute = refused_dispute(buyer)
    mediator = make_mediator()
    run_tasks()
    mail.outbox.clear()

    actions.post_message(dispute=dispute, author=mediator, body=SECRET, internal=True)
    run_tasks()
    assert mail.outbox == []
    assert not dispute.events.filter(kind=EventKind.MESSAGE, actor=mediator).exists()

    # Whatever follows, the note stays out of every email.
    actions.post_message(dispute=dispute, author=mediator, body="Please both be patient.")
    actions.request_information(
        dispute=dispute, mediator=mediator, party=Party.SELLER, message="Your shipping proof?"
    )
    actions.decide_dispute(
        reason="evidence_shows_defect",
        dispute=dispute,
        mediator=mediator,
        outcome=Outcome.FULL_REFUND,
        note="Refund in full.",
    )
    run_tasks()
    assert len(mail.outbox) >= 4
    for email in mail.outbox:
        assert SECRET not in email.subject
        assert SECRET not in email.body


# A failing mail server: the event stays, the email is tried again later.


class FailingBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("the mail server is down")


def fail_mail(settings):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.FailingBackend"}}


@pytest.fixture
def failing_mail(settings):
    fail_mail(settings)


def deliveries():
    return DBTaskResult.objects.filter(task_path=tasks.deliver_email.module_path)


def sent(results):
    return sorted(
        (r.args_kwargs["kwargs"]["to"], r.args_kwargs["kwargs"]["subject"]) for r in results
    )


@pytest.mark.django_db(transaction=True)
def test_a_failed_send_keeps_the_event_and_queues_a_retry(buyer, settings):
    dispute = refused_dispute(buyer)  # committed: this test runs outside a transaction
    run_tasks()
    mail.outbox.clear()
    deliveries().delete()
    fail_mail(settings)
    before = timezone.now()

    actions.decide_dispute(
        reason="evidence_shows_defect",
        dispute=dispute,
        mediator=make_mediator(),
        outcome=Outcome.REJECTED,
        note="No fault.",
    )
    run_tasks()

    assert dispute.events.filter(kind=EventKind.DECIDED).exists()
    failed = deliveries().filter(status="FAILED")
    retries = deliveries().filter(status="READY")
    assert sent(failed) == sent(retries)
    assert {to for to, _subject in sent(retries)} == {buyer.email, seller_of(dispute).email}
    for retry in retries:
        assert retry.args_kwargs["kwargs"]["attempt"] == 2
        assert retry.run_after >= before + tasks.EMAIL_FIRST_RETRY
    assert mail.outbox == []

    # The server is back: once due, the retries deliver.
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    retries.update(run_after=timezone.now() - timedelta(seconds=1))
    run_tasks()
    assert sorted(email.to[0] for email in mail.outbox) == sorted(
        [buyer.email, seller_of(dispute).email]
    )


def test_a_retry_waits_twice_as_long_each_time_and_stops_after_the_last_attempt(failing_mail):
    args = {"to": "alice@example.com", "subject": "Subject", "body": "Body"}

    before = timezone.now()
    with pytest.raises(ConnectionRefusedError):
        tasks.deliver_email.call(**args, attempt=3)
    (retry,) = deliveries()
    assert retry.args_kwargs["kwargs"] == args | {"attempt": 4}
    assert retry.run_after >= before + 4 * tasks.EMAIL_FIRST_RETRY

    retry.delete()
    with pytest.raises(ConnectionRefusedError):
        tasks.deliver_email.call(**args, attempt=tasks.EMAIL_ATTEMPTS)
    assert not deliveries().exists()


def test_the_buyer_is_told_the_refund_was_sent_and_when(buyer):
    dispute = _refund_reported("executed")(buyer)
    event = latest_event(dispute, EventKind.REFUND_EXECUTED)
    (email,) = notifications.event_emails(event)
    sent = dispute.refund_instructions.get().executed_at
    with timezone.override("Europe/Paris"):
        day = formats.date_format(timezone.localtime(sent), "j M Y")
    assert f"Refund of €12.99 sent on {day}" in email.body
    assert "refund" in email.subject and dispute.order.number in email.subject
