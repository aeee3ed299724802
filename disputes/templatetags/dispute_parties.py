"""Who did what on a dispute page, in the reader's words: "You", "The seller", "A mediator".

The page's ``order`` and ``user`` tell the parties apart; anyone else who writes in a
dispute or acts on it is a mediator, and an event without an actor was a deadline's, or
the marketplace's when it reports a refund.
"""

from datetime import datetime

from django import template
from django.utils.translation import gettext_lazy as _

from disputes.models import DisputeReason, EscalationReason, EventKind
from disputes.parties import MEDIATOR, Party, party_of

register = template.Library()

YOU = "you"
AUTHORS = {
    YOU: _("You"),
    Party.BUYER: _("The buyer"),
    Party.SELLER: _("The seller"),
    MEDIATOR: _("A mediator"),
}
ACTORS = {
    YOU: _("by you"),
    Party.BUYER: _("by the buyer"),
    Party.SELLER: _("by the seller"),
    MEDIATOR: _("by a mediator"),
    None: _("when the time ran out"),
}
# Events whose name already says who acted ("Seller offered a partial refund"): a "by the
# seller" after it would say it twice.
NAMED_IN_KIND = frozenset(
    {
        EventKind.SELLER_ACCEPTED,
        EventKind.OFFER_MADE,
        EventKind.OFFER_ACCEPTED,
        EventKind.OFFER_REFUSED,
        EventKind.SELLER_REFUSED,
        EventKind.INFORMATION_REQUESTED,
        EventKind.APPEAL_ANSWERED,
    }
)
# Escalations nobody chose: they follow from the seller's refusal, or from a seller who
# cannot answer in the app, though recorded with that action's actor.
AUTOMATIC_ESCALATIONS = frozenset(
    {EscalationReason.SELLER_REFUSED, EscalationReason.NO_SELLER_ACCOUNT}
)
BY_THE_MARKETPLACE = _("by the marketplace")
# What the marketplace reports through the API: events without a person's hand.
MARKETPLACE_REPORTS = (EventKind.REFUND_EXECUTED, EventKind.REFUND_FAILED)


def _who(context, user_id):
    if user_id is None:
        return None
    if user_id == context["user"].pk:
        return YOU
    return party_of(user_id, context["order"]) or MEDIATOR


@register.simple_tag(takes_context=True)
def author(context, user_id):
    """The author of a message: "You", "The buyer", "The seller" or "A mediator"."""
    return AUTHORS[_who(context, user_id)]


@register.simple_tag(takes_context=True)
def actor(context, event):
    """Who did ``event``: "by you", "by the seller"…, "by the marketplace", "when the time
    ran out", or "automatically"; nothing when its name says it already."""
    if event.kind in MARKETPLACE_REPORTS:
        return BY_THE_MARKETPLACE
    if event.kind in NAMED_IN_KIND:
        return ""
    if event.kind == EventKind.ESCALATED and event.details.get("reason") in AUTOMATIC_ESCALATIONS:
        return _("automatically")
    return ACTORS[_who(context, event.actor_id)]


@register.filter
def escalation_reason(value):
    """An ``EscalationReason`` value in words."""
    try:
        return EscalationReason(value).label
    except ValueError:
        return value


@register.filter
def dispute_reason(value):
    """A ``DisputeReason`` value in words (a reason an event recorded)."""
    try:
        return DisputeReason(value).label
    except ValueError:
        return value


@register.filter
def moment(value):
    """An ISO 8601 time an event recorded, as an aware datetime for ``|date``."""
    return datetime.fromisoformat(value) if value else None
