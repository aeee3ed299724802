"""A dispute's timeline in words: who did each event, and what it was, as a sentence.

Reads the ``details`` each kind of event records (``disputes.events``), so a timeline
says "Seller offered a partial refund of 5.00 EUR", never the raw details.
"""

from datetime import datetime
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orders.money import in_minor_units

from .models import DecisionReason, DisputeReason, EscalationReason, EventKind, Outcome
from .parties import Party, party_of

# A sentence per kind; where it depends on a detail, (that detail, {its value: sentence}),
# with None for a value the sentence table does not know. Lazy: translated when used.
SENTENCES = {
    EventKind.OPENED: gettext_lazy("Dispute opened: %(problem)s; the buyer asks for %(request)s"),
    EventKind.REOPENED: gettext_lazy(
        "Dispute reopened: %(problem)s; the buyer asks for %(request)s"
    ),
    EventKind.SELLER_ACCEPTED: gettext_lazy("Seller accepted the request: a refund of %(refund)s"),
    EventKind.OFFER_MADE: gettext_lazy("Seller offered a partial refund of %(amount)s"),
    EventKind.OFFER_ACCEPTED: gettext_lazy("Buyer accepted the offer: a refund of %(refund)s"),
    EventKind.OFFER_REFUSED: gettext_lazy("Buyer refused the offer"),
    EventKind.SELLER_REFUSED: gettext_lazy("Seller refused the request, with a statement"),
    EventKind.ESCALATED: gettext_lazy("Escalated to the mediators: %(why)s"),
    EventKind.INFORMATION_REQUESTED: (
        "party",
        {
            Party.BUYER: gettext_lazy("A mediator asked the buyer for information"),
            Party.SELLER: gettext_lazy("A mediator asked the seller for information"),
            None: gettext_lazy("A mediator asked for information"),
        },
    ),
    EventKind.INFORMATION_LAPSED: (
        "party",
        {
            Party.BUYER: gettext_lazy(
                "The buyer did not reply in time: the information request lapsed"
            ),
            Party.SELLER: gettext_lazy(
                "The seller did not reply in time: the information request lapsed"
            ),
            None: gettext_lazy("The information request lapsed"),
        },
    ),
    EventKind.MESSAGE: gettext_lazy("Wrote in the conversation"),
    EventKind.CANCELLED: gettext_lazy("Buyer cancelled the dispute"),
    EventKind.EVIDENCE_ADDED: gettext_lazy("Added evidence"),
    EventKind.DECIDED: (
        "outcome",
        {
            Outcome.FULL_REFUND: gettext_lazy("Decided: a full refund"),
            Outcome.PARTIAL_REFUND: gettext_lazy("Decided: a partial refund of %(refund)s"),
            Outcome.REJECTED: gettext_lazy("Decided: rejected, in the seller's favour"),
            None: gettext_lazy("Decided"),
        },
    ),
    EventKind.APPEAL_SENT: (
        "party",
        {
            Party.SELLER: gettext_lazy("Seller appealed the decision to customer service"),
            None: gettext_lazy("Buyer appealed the decision to customer service"),
        },
    ),
    EventKind.APPEAL_ANSWERED: (
        "ruling",
        {
            "upheld": gettext_lazy("Customer service answered the appeal: the decision stands"),
            "replaced": gettext_lazy(
                "Customer service answered the appeal: the decision is replaced"
            ),
            None: gettext_lazy("Customer service answered the appeal"),
        },
    ),
    EventKind.REFUND_INSTRUCTED: gettext_lazy("Refund of %(amount)s instructed to the marketplace"),
    EventKind.REFUND_EXECUTED: gettext_lazy(
        "The marketplace sent the refund of %(amount)s (its reference: %(reference)s)"
    ),
    EventKind.REFUND_FAILED: gettext_lazy(
        "The marketplace could not send the refund of %(amount)s: %(failure)s"
    ),
    # A parcel that never arrived (PRODUCT.md §2a).
    EventKind.DELIVERY_PROVED: gettext_lazy(
        "Seller refused: the parcel was delivered (%(carrier)s, tracking number "
        "%(tracking_number)s)"
    ),
    EventKind.DELIVERY_EXTENDED: gettext_lazy(
        "Seller asked the buyer to wait for the parcel until %(delivery_by)s"
    ),
    EventKind.EXTENSION_ACCEPTED: gettext_lazy(
        "Buyer accepted to wait until %(delivery_by)s: the dispute is cancelled until then"
    ),
    EventKind.EXTENSION_REFUSED: gettext_lazy("Buyer refused the new delivery date"),
    EventKind.REASON_CHANGED: gettext_lazy(
        "The parcel arrived; the buyer keeps the dispute: %(problem)s"
    ),
    EventKind.RETURN_ASKED: (
        "by",
        {
            "seller": gettext_lazy(
                "Seller accepted the request if the item is returned; %(postage)s"
            ),
            "mediator": gettext_lazy(
                "Decided: a full refund after the item is returned; %(postage)s"
            ),
            None: gettext_lazy("A refund waits for the return of the item"),
        },
    ),
    EventKind.RETURN_SHIPPED: gettext_lazy(
        "Buyer shipped the return: %(carrier)s, tracking number %(tracking_number)s"
    ),
    EventKind.RETURN_ARRIVED: gettext_lazy(
        "Seller confirmed the return arrived: a refund of %(refund)s"
    ),
    EventKind.RETURN_PROBLEM: gettext_lazy(
        "Seller reported a problem with the returned item, with a statement"
    ),
    EventKind.RETURN_REFUND_RELEASED: gettext_lazy(
        "The seller did not answer in time: the refund of %(refund)s was released"
    ),
    # The mediators' own bookkeeping (PRODUCT.md §5).
    EventKind.ASSIGNED: gettext_lazy("Assigned the dispute to %(assignee)s"),
    EventKind.NEW_INFORMATION_READ: gettext_lazy("Read the parties' new information"),
    EventKind.REFUND_SETTLED: gettext_lazy(
        "Settled with the marketplace the %(amount)s refunded above the outcome"
    ),
}

# Who pays a return's postage, as the return's sentences end.
POSTAGE = {
    Party.SELLER: gettext_lazy("the seller pays the return postage"),
    Party.BUYER: gettext_lazy("the buyer pays the return postage"),
}

# A refund instructed in place of a failed one (its ``replaces``).
INSTRUCTED_AGAIN = gettext_lazy("Refund of %(amount)s instructed again to the marketplace")


def money(amount, order) -> str:
    """An amount in the order's currency, with its decimals, as the admin writes it:
    ``5.00 EUR``, ``1234 JPY`` (an event's string or a stored amount alike)."""
    return f"{in_minor_units(Decimal(amount), order.currency)} {order.currency}"


def who(user, order) -> str:
    """Who ``user`` is on ``order``'s dispute: buyer, seller or mediator, with their name.

    ``None`` is the deadline: what nobody did by hand, the worker did when time ran out.
    """
    if user is None:
        return _("By the deadline")
    name = {"name": user.get_username()}
    match party_of(user, order):
        case Party.BUYER:
            return _("Buyer (%(name)s)") % name
        case Party.SELLER:
            return _("Seller (%(name)s)") % name
    if user.is_staff:
        return _("Mediator (%(name)s)") % name
    return user.get_username()


def describe(event, order) -> str:
    """``event`` as a sentence, with the names of the files it attached."""
    sentence = _sentence(event.kind, event.details) % _in_words(event.details, order)
    if reason := event.details.get("decision_reason"):
        sentence = _("%(sentence)s (reason: %(reason)s)") % {
            "sentence": sentence,
            "reason": _lower_first(_label(DecisionReason, reason)),
        }
    if files := event.details.get("evidence"):
        return _("%(sentence)s (files: %(files)s)") % {
            "sentence": sentence,
            "files": ", ".join(files),
        }
    return sentence


def _sentence(kind, details):
    sentence = SENTENCES[kind]
    if kind == EventKind.REFUND_INSTRUCTED and details.get("replaces"):
        return INSTRUCTED_AGAIN
    if isinstance(sentence, tuple):
        detail, by_value = sentence
        return by_value.get(details.get(detail), by_value[None])
    return sentence


def _in_words(details, order) -> dict:
    """Every detail an event may record, as the sentences write it."""
    requested = details.get("requested_amount")
    return {
        "problem": _lower_first(_label(DisputeReason, details.get("reason"))),
        "request": (
            _("a partial refund of %(amount)s") % {"amount": money(requested, order)}
            if requested
            else _("a full refund")
        ),
        "amount": money(details["amount"], order) if details.get("amount") else "",
        # An agreement on a full refund records the price paid; older events may not.
        "refund": money(details.get("refund_amount") or order.price, order),
        "why": _lower_first(_label(EscalationReason, details.get("reason"))),
        "reference": details.get("reference"),
        "failure": details.get("failure_reason"),
        "postage": POSTAGE.get(details.get("postage_paid_by"), ""),
        "carrier": details.get("carrier"),
        "tracking_number": details.get("tracking_number"),
        "delivery_by": recorded_date(details.get("delivery_by")),
        "assignee": details.get("assignee_name") or _("nobody"),
    }


def recorded_date(moment: str | None) -> str:
    """An event's ISO 8601 date as the reader's locale writes it, in their zone."""
    if not moment:
        return ""
    return formats.date_format(
        timezone.localtime(datetime.fromisoformat(moment)), "DATETIME_FORMAT"
    )


def _label(choices, value) -> str:
    return choices(value).label if value in choices.values else str(value)


def _lower_first(text) -> str:
    text = str(text)
    return text[:1].lower() + text[1:]
