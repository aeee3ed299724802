"""The webhook types a client can receive: one per dispute event kind, and the buyer's
receipt confirmation. Each client chooses its own (``ApiClient.webhook_types``); a new
client gets the money events, the ones every client got before types could be chosen.
"""

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise

from disputes.models import EventKind

# The money events keep the names they were always sent under; both ways to agree are one
# type, as a marketplace acts on them alike.
NAMED_TYPES = {
    EventKind.SELLER_ACCEPTED: "dispute.agreed",
    EventKind.OFFER_ACCEPTED: "dispute.agreed",
    EventKind.DECIDED: "dispute.decided",
    EventKind.APPEAL_ANSWERED: "dispute.appeal_answered",
    # After a return (PRODUCT.md §4e) the refund is due whether the seller confirmed the
    # item arrived or let the time pass: one type, a money event like an agreement.
    EventKind.RETURN_ARRIVED: "dispute.return_refunded",
    EventKind.RETURN_REFUND_RELEASED: "dispute.return_refunded",
    # A refund for the marketplace to execute (PRODUCT.md §4f), whatever outcome it carries out.
    EventKind.REFUND_INSTRUCTED: "refund.instructed",
}
RECEIPT_CONFIRMED = "order.receipt_confirmed"
MONEY_TYPES = (
    "dispute.agreed",
    "dispute.decided",
    "dispute.appeal_answered",
    "dispute.return_refunded",
    "refund.instructed",
    RECEIPT_CONFIRMED,
)


def for_dispute_event(kind: str) -> str:
    """The webhook type of a dispute event kind: ``dispute.<kind>`` unless it has a name."""
    return NAMED_TYPES.get(EventKind(kind), f"dispute.{kind}")


def choices() -> list[tuple[str, str | StrPromise]]:
    """Every type with what it says, in the order of a dispute's life, for the admin."""
    labels: dict[str, str | StrPromise] = {
        "dispute.agreed": _("Agreed: the seller accepted the request or the buyer the offer"),
        "dispute.return_refunded": _("Refund due after the return"),
        "refund.instructed": _("Refund to execute"),
    }
    for kind in EventKind:
        labels.setdefault(for_dispute_event(kind), kind.label)
    labels[RECEIPT_CONFIRMED] = _("Receipt confirmed by the buyer")
    return list(labels.items())


def default() -> list[str]:
    return list(MONEY_TYPES)
