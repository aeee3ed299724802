"""A party's dispute page: what the buyer or the seller sees of one dispute.

The page reads a fixed number of queries however long the conversation or the timeline
grows: the dispute's evidence is read once and shared out between the request, the
seller's answer and the messages it was sent with. A party never receives a mediator's
internal note: the query leaves them out.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from operator import attrgetter

from django.conf import settings
from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import SimpleLazyObject

from config.fragments import fingerprint
from orders.models import OrderEvent, OrderEventKind

from . import deadlines
from .actions import promised_delivery
from .eligibility import appeal_refusal, dispute_eligibility
from .evidence.drafts import MESSAGE, DraftForm, form_draft_key
from .forms import AnotherReasonForm, ExtensionForm, MessageForm, OfferForm
from .models import MEDIATORS_ONLY_EVENTS, Appeal, Dispute, DisputeEvent, Evidence
from .parties import Party, party_of

TEMPLATES = {
    Party.BUYER: "disputes/dispute_detail.html",
    Party.SELLER: "disputes/seller_dispute.html",
}
URL_NAMES = {
    Party.BUYER: {"page": "disputes:detail", "message": "disputes:message"},
    Party.SELLER: {"page": "disputes:seller_detail", "message": "disputes:seller_message"},
}


def _newest_event():
    """The id of the dispute's newest event (None when it has none)."""
    events = DisputeEvent.objects.filter(dispute=OuterRef("pk")).order_by().values("dispute")
    return Subquery(events.annotate(newest=Max("pk")).values("newest"))


def _reported_receipt():
    """The receipt time the marketplace last sent for the dispute's order once it had a
    dispute (``orders.events.receipt_reported_event``, an ISO 8601 string), or None."""
    reported = OrderEvent.objects.filter(
        order=OuterRef("order"), kind=OrderEventKind.RECEIPT_REPORTED
    ).order_by("-pk")
    return Subquery(reported.values("details__received_at")[:1])


def page_disputes(user, party: str) -> QuerySet[Dispute]:
    """The disputes of ``user`` as ``party``, with what their page shows: the buyer's page
    their appeals, the seller's the buyer's name, both a receipt time the marketplace sent
    later (PRODUCT.md §8)."""
    disputes = (
        Dispute.objects.select_related("order__seller")
        .prefetch_related("appeals")
        .annotate(last_event=_newest_event(), reported_receipt=_reported_receipt())
    )
    if party == Party.BUYER:
        return disputes.of_buyer(user)
    return disputes.of_seller(user).select_related("order__buyer")


def party_dispute(request: HttpRequest, pk: int, party: str) -> Dispute:
    """One of the requester's disputes as ``party``: their order's, or the orders they sold.

    Anyone else's answers 404: its existence is not theirs to learn.
    """
    return get_object_or_404(page_disputes(request.user, party), pk=pk)


def _moment(text: str | None):
    return parse_datetime(text) if text else None


def page_url(dispute: Dispute, party: str) -> str:
    return reverse(URL_NAMES[party]["page"], args=[dispute.pk])


def message_draft_name(dispute: Dispute) -> str:
    """The session name of the draft key the page's message form sends evidence with."""
    return f"message_draft_{dispute.pk}"


@dataclass
class PageEvidence:
    """The dispute's evidence, each file where the page shows it."""

    request: list[Evidence] = field(default_factory=list)  # the buyer's, with the dispute
    answer: list[Evidence] = field(default_factory=list)  # the seller's, with a refusal
    appeal: list[Evidence] = field(default_factory=list)  # the buyer's, with their appeal
    by_message: dict[int, list[Evidence]] = field(default_factory=lambda: defaultdict(list))


def page_evidence(dispute: Dispute, appeal: Appeal | None = None) -> PageEvidence:
    """Read the dispute's evidence once, with the files of ``appeal`` (belonging to the
    appeal, not the dispute), and share it out (messages' files go with them)."""
    shared = PageEvidence()
    files = Q(dispute=dispute) | Q(appeal=appeal) if appeal else Q(dispute=dispute)
    # Sorted here, oldest first: an ORDER BY costs the ORM more to compile (it compares
    # every selected column with the ordering) than sorting a dispute's few files.
    unordered = Evidence.objects.filter(files).order_by()
    for item in sorted(unordered, key=attrgetter("uploaded_at", "pk")):
        if item.appeal_id is not None:
            shared.appeal.append(item)
        elif item.message_id is not None:
            shared.by_message[item.message_id].append(item)
        elif party_of(item.uploaded_by_id, dispute.order) == Party.BUYER:
            shared.request.append(item)
        else:
            shared.answer.append(item)
    return shared


def party_conversation(dispute: Dispute, evidence: PageEvidence) -> list:
    """The messages a party sees, oldest first, each with the files sent with it
    (``attachments``). Internal notes are mediators' only: never read for a party."""
    conversation = list(dispute.messages.filter(internal=False))
    for message in conversation:
        message.attachments = evidence.by_message.get(message.pk, [])
    return conversation


def fragment_versions(dispute: Dispute, evidence: PageEvidence, party: str) -> dict[str, str]:
    """The parts of the request's, the conversation's and the timeline's cache keys that
    change with what they show (``config.fragments``). The request shows the dispute, its
    order, the seller, to the seller the buyer, and the request's files. The conversation
    and the timeline are versioned without reading their rows: messages and events are
    written once, never changed nor deleted (events refuse it, ``AppendOnlyEvent``; a
    message is only ever created, by ``disputes.actions``, and the admin shows them
    read-only), so the newest event's id names the timeline, and the conversation too:
    every message a party reads is followed by its own event in the same transaction
    (``disputes.events.message_event``; a mediator's internal note has none, and no party
    reads it). Any other event renders the conversation again too, once: the price of
    reading one id instead of two. The messages' files do change (their previews are made
    after the upload): the page reads them anyway, and they are in the key as rows. The
    order (who is the buyer, who the seller; the currency) is in all three."""
    order = dispute.order
    buyer = order.buyer if party == Party.SELLER else None
    return {
        "request_version": fingerprint(
            dispute,
            order,
            order.seller,
            buyer,
            evidence.request,
            getattr(dispute, "reported_receipt", None),
        ),
        "conversation_version": fingerprint(
            order, dispute.last_event, sorted(evidence.by_message.items())
        ),
        "timeline_version": fingerprint(order, dispute.last_event),
    }


def render_dispute_page(
    request: HttpRequest, dispute: Dispute, party: str, *, status: int = 200, **context
) -> HttpResponse:
    """The page of ``dispute`` for ``party``; ``context`` replaces parts of it, such as a
    form sent back with its errors or the files of an upload that were refused."""
    # The appeals are read with the dispute (party_dispute).
    appeal = dispute.appeal_of(party)
    evidence = page_evidence(dispute, appeal)
    page = {
        "dispute": dispute,
        "order": dispute.order,
        "party": party,
        "now": timezone.now(),
        "next_step": deadlines.next_step(dispute),
        # Both read only when their cached fragment is missing (fragment_versions).
        "events": DisputeEvent.objects.filter(dispute=dispute).exclude(
            kind__in=MEDIATORS_ONLY_EVENTS
        ),
        "conversation": SimpleLazyObject(lambda: party_conversation(dispute, evidence)),
        **fragment_versions(dispute, evidence, party),
        "evidence": evidence,
        "appeal": appeal,
        "waiting_appeal": dispute.waiting_appeal,
        "appeal_refusal": appeal_refusal(dispute, party, now=timezone.now()),
        "refunds": dispute.refund_instructions.live() if dispute.has_ended else (),
        "page_url": page_url(dispute, party),
        "message_url": reverse(URL_NAMES[party]["message"], args=[dispute.pk]),
        "message_form": MessageForm(),
        "refusals": (),
        # Shown to both parties beside the window it did not move.
        "reported_receipt": _moment(getattr(dispute, "reported_receipt", None)),
    }
    if dispute.is_open:
        page["message_draft"] = form_draft_key(
            request.session,
            message_draft_name(dispute),
            DraftForm.of(MESSAGE, dispute.order, dispute),
        )
    page |= _buyer_context(dispute) if party == Party.BUYER else _seller_context(request, dispute)
    return render(request, TEMPLATES[party], page | context, status=status)


def _buyer_context(dispute: Dispute) -> dict:
    return {
        "another_reason_form": AnotherReasonForm(),
        "eligibility": dispute_eligibility(dispute.order, [dispute], now=timezone.now()),
    }


def _seller_context(request: HttpRequest, dispute: Dispute) -> dict:
    return {
        "offer_form": OfferForm(dispute=dispute),
        "extension_form": ExtensionForm(most=settings.DISPUTE_DELIVERY_EXTENSION_MAX_DAYS),
        "promised_delivery": promised_delivery(dispute),
        # One account can be both: actions refuse a seller's answer to their own dispute.
        "own_purchase": party_of(request.user, dispute.order) == Party.BUYER,
    }


# What a card of the seller's lists shows (disputes/_seller_dispute_card.html), and no more.
SELLER_CARD_FIELDS = (
    "status",
    "stage",
    "stage_deadline",
    "reason",
    "requested_amount",
    "opened_at",
    "order__number",
    "order__item",
    "order__price",
    "order__currency",
)


def seller_disputes(user) -> tuple[QuerySet[Dispute], QuerySet[Dispute]]:
    """The seller's disputes: those waiting for them, by deadline soonest, then the others,
    newest first."""
    cards = Dispute.objects.of_seller(user).select_related("order").only(*SELLER_CARD_FIELDS)
    return (
        cards.waiting_for(Party.SELLER).order_by("stage_deadline", "pk"),
        cards.not_waiting_for(Party.SELLER).order_by("-opened_at", "-pk"),
    )
