"""Emails about a dispute: who gets one for each event, and what it says. No sending here.

Every event emails the parties it concerns, saying what happened (the amount offered or
refunded, the seller's statement, the message or question quoted, the decision): the
party who must act next learns what to do and by when, the other one what happened. The
person who caused an event is not emailed about it, except the buyer, who gets an
acknowledgement of a dispute opened or reopened and of an appeal sent. An information
request goes to the party asked only, and the question it posts in the conversation is
not announced again as a message; an escalation caused by a refusal is told in the
refusal's email, not in a second one. Mediators are not emailed: they work from the
admin's queue, where an overdue filter shows what waits on them.

Each email is written in its recipient's language (a buyer's: the one the dispute was
opened in; a seller's: the one they last signed in with) and with dates in their zone.
``disputes.tasks`` sends what is composed here, from the worker, with retries.
"""

import re
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.conf import settings
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.middleware import time_zone_of
from accounts.sign_in_links import email_link_url

from . import deadlines
from .models import (
    MEDIATORS_ONLY_EVENTS,
    Dispute,
    DisputeEvent,
    DisputeMessage,
    EscalationReason,
    EventKind,
    Party,
    RefundInstruction,
)
from .signals import dispute_event_recorded
from .timeline import recorded_date

HEADLINES = {
    EventKind.OPENED: _("The buyer opened a dispute about order %(number)s (%(item)s)."),
    EventKind.REOPENED: _("The buyer reopened the dispute about order %(number)s (%(item)s)."),
    EventKind.SELLER_ACCEPTED: _(
        "The seller accepted the request on order %(number)s: the dispute ends with a refund."
    ),
    EventKind.OFFER_MADE: _("The seller offered a partial refund on order %(number)s."),
    EventKind.OFFER_ACCEPTED: _(
        "The buyer accepted the offer on order %(number)s: the dispute ends with a refund."
    ),
    EventKind.OFFER_REFUSED: _("The buyer refused the offer on order %(number)s."),
    EventKind.SELLER_REFUSED: _("The seller refused the request on order %(number)s."),
    EventKind.ESCALATED: _("The dispute about order %(number)s is now with the mediators."),
    EventKind.INFORMATION_REQUESTED: _(
        "A mediator needs information from you about the dispute on order %(number)s."
    ),
    EventKind.INFORMATION_LAPSED: _(
        "The mediator's request for information about order %(number)s has lapsed."
    ),
    EventKind.MESSAGE: _("There is a new message in the dispute about order %(number)s."),
    EventKind.CANCELLED: _("The buyer cancelled the dispute about order %(number)s."),
    EventKind.EVIDENCE_ADDED: _("New evidence was added to the dispute about order %(number)s."),
    EventKind.DECIDED: _("A mediator decided the dispute about order %(number)s."),
    EventKind.APPEAL_SENT: _("A party appealed the decision on order %(number)s."),
    EventKind.APPEAL_ANSWERED: _(
        "Customer service answered the appeal about the dispute on order %(number)s."
    ),
    EventKind.REFUND_EXECUTED: _("The refund for order %(number)s has been sent."),
    EventKind.RETURN_ASKED: _(
        "The refund on order %(number)s (%(item)s) waits for the item to be returned."
    ),
    EventKind.RETURN_SHIPPED: _("The buyer shipped the return of order %(number)s."),
    EventKind.RETURN_ARRIVED: _(
        "The seller confirmed the return of order %(number)s arrived: the refund is released."
    ),
    EventKind.RETURN_PROBLEM: _(
        "The seller reported a problem with the returned item of order %(number)s."
    ),
    EventKind.RETURN_REFUND_RELEASED: _(
        "The seller did not answer about the return of order %(number)s in time: the refund "
        "is released."
    ),
    # A parcel that never arrived (PRODUCT.md §2a).
    EventKind.DELIVERY_PROVED: _(
        "The seller says the parcel of order %(number)s was delivered: carrier %(carrier)s, "
        "tracking number %(tracking_number)s."
    ),
    EventKind.DELIVERY_EXTENDED: _(
        "The seller asks you to wait for the parcel of order %(number)s until %(delivery_by)s."
    ),
    EventKind.EXTENSION_ACCEPTED: _(
        "The buyer accepted to wait longer for the parcel of order %(number)s: the dispute is "
        "cancelled until the new date."
    ),
    EventKind.EXTENSION_REFUSED: _(
        "The buyer refused to wait longer for the parcel of order %(number)s."
    ),
    EventKind.REASON_CHANGED: _(
        "The parcel of order %(number)s arrived, and the buyer keeps the dispute with another "
        "reason."
    ),
}
# What the buyer who did it is told: their dispute or appeal was received, and what next.
ACKNOWLEDGEMENTS = {
    EventKind.OPENED: _("Your dispute about order %(number)s (%(item)s) is open."),
    EventKind.REOPENED: _("Your dispute about order %(number)s (%(item)s) is open again."),
    EventKind.APPEAL_SENT: _(
        "Your appeal about the dispute on order %(number)s was sent to customer service."
    ),
}
# Events the buyer has always been told of in an email of their own.
BUYER_TEMPLATES = {
    EventKind.DECIDED: "decided",
    EventKind.APPEAL_ANSWERED: "appeal_answered",
    EventKind.REFUND_EXECUTED: "refund_sent",
    # Where to send the item and who pays its postage, before the buyer ships it.
    EventKind.RETURN_ASKED: "return_asked",
}
# The money's way out: the buyer hears when it is sent; an instruction comes with the
# outcome already told, and a failure is the mediators' to follow up (their queue).
BUYER_ONLY = (EventKind.REFUND_EXECUTED,)
NOT_EMAILED = (EventKind.REFUND_INSTRUCTED, EventKind.REFUND_FAILED)
# Only the party asked hears of an information request and of its lapse.
ASKED_PARTY_ONLY = (EventKind.INFORMATION_REQUESTED, EventKind.INFORMATION_LAPSED)
# Escalations recorded beside a refusal (``disputes.actions``), whose email tells them.
TOLD_WITH_THE_REFUSAL = (EscalationReason.SELLER_REFUSED, EscalationReason.BUYER_REFUSED_OFFER)


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str

    def as_kwargs(self) -> dict:
        return asdict(self)


def event_emails(event: DisputeEvent) -> list[Email]:
    """The emails ``event`` causes, one per person it concerns."""
    dispute = event.dispute
    if event.kind in NOT_EMAILED or event.kind in MEDIATORS_ONLY_EVENTS:
        return []
    if event.kind == EventKind.MESSAGE and _asks_for_information(event):
        return []
    if event.kind == EventKind.ESCALATED and event.details.get("reason") in TOLD_WITH_THE_REFUSAL:
        return []
    emails = []
    particulars = _particulars(event)
    for party, user in _parties(dispute).items():
        if user is None or not user.email:
            continue
        headline = HEADLINES[event.kind]
        if user.pk == event.actor_id:
            if party != Party.BUYER or event.kind not in ACKNOWLEDGEMENTS:
                continue
            headline = ACKNOWLEDGEMENTS[event.kind]
        if event.kind in ASKED_PARTY_ONLY and party != event.details.get("party"):
            continue
        if event.kind in BUYER_ONLY and party != Party.BUYER:
            continue
        template = BUYER_TEMPLATES.get(event.kind) if party == Party.BUYER else None
        if event.kind == EventKind.APPEAL_ANSWERED and party != event.details.get("party"):
            template = None  # "your appeal" is the appellant's email only
        emails.append(
            _compose(
                dispute,
                party,
                user,
                template or "event",
                headline=headline,
                event=event,
                refund=_refund_of(event),
                **particulars,
            )
        )
    return emails


def _particulars(event: DisputeEvent) -> dict[str, object]:
    """What the email about ``event`` quotes: the ``amount`` it concerns (offered, refunded,
    asked for) and the ``quoted`` text (a statement, a message, a question)."""
    details = event.details
    amount = details.get("amount") or details.get("refund_amount")
    if event.kind in (EventKind.OPENED, EventKind.REOPENED):
        amount = details.get("requested_amount")
    quoted = ""
    if event.kind == EventKind.SELLER_REFUSED:
        quoted = event.dispute.seller_statement
    elif event.kind in (EventKind.MESSAGE, EventKind.INFORMATION_REQUESTED):
        # Internal notes are never events: a message an event names is the parties'.
        message = DisputeMessage.objects.filter(pk=details.get("message"), internal=False)
        quoted = message.values_list("body", flat=True).first() or ""
    return {"amount": Decimal(amount) if amount else None, "quoted": quoted}


def _refund_of(event: DisputeEvent) -> RefundInstruction | None:
    """The refund instruction a refund's event is about, or None for other events."""
    refund_id = event.details.get("refund")
    if refund_id is None:
        return None
    return RefundInstruction.objects.filter(public_id=refund_id).first()


def _asks_for_information(message_event: DisputeEvent) -> bool:
    """Whether the message is a mediator's question, which its request has announced."""
    return message_event.dispute.events.filter(
        kind=EventKind.INFORMATION_REQUESTED, details__message=message_event.details["message"]
    ).exists()


def reminder_email(dispute: Dispute) -> Email | None:
    """The reminder to the party whose deadline comes, or None if it is nobody's now."""
    party = deadlines.next_step(dispute).actor
    user = _parties(dispute).get(party)
    if user is None or not user.email:
        return None
    return _compose(dispute, party, user, "reminder")


def _parties(dispute: Dispute) -> dict:
    order = dispute.order
    return {Party.BUYER: order.buyer, Party.SELLER: order.seller.user}


def _compose(dispute, party, user, template, **context) -> Email:
    with (
        translation.override(_language(dispute, party, user)),
        timezone.override(time_zone_of(user)),
    ):
        context = {
            "dispute": dispute,
            "order": dispute.order,
            "party": party,
            "recipient": user,
            "buyer": dispute.order.buyer,
            "appeal": dispute.appeal,
            "next_step": deadlines.next_step(dispute),
            "dispute_url": email_link_url(user, _page_of(dispute, party)),
            **context,
        }
        if "headline" in context:
            # A headline may name what its event recorded (the carrier of a delivery).
            details = context["event"].details
            context["headline"] = context["headline"] % {
                **details,
                "delivery_by": recorded_date(details.get("delivery_by")),
                "number": dispute.order.number,
                "item": dispute.order.item,
            }
        subject = render_to_string(f"disputes/email/{template}_subject.txt", context)
        body = render_to_string(f"disputes/email/{template}.txt", context)
    # The includes of a plain-text email leave empty lines where a part says nothing.
    body = re.sub(r"\n{3,}", "\n\n", body)
    return Email(to=user.email, subject=" ".join(subject.split()), body=body)


def _language(dispute, party, user) -> str:
    if party == Party.BUYER:
        return dispute.language
    return user.language or settings.LANGUAGE_CODE


def _page_of(dispute, party) -> str:
    name = "disputes:detail" if party == Party.BUYER else "disputes:seller_detail"
    return reverse(name, args=[dispute.pk])


@receiver(dispute_event_recorded)
def queue_event_emails(sender: object, *, event: DisputeEvent, **kwargs: object) -> None:
    """Queue the sending of ``event``'s emails, in the transaction that records it."""
    from . import tasks  # tasks send what is composed here: imported when an event is recorded

    tasks.send_event_emails.enqueue(event.pk)
