"""The dispute badge on an order's card in the orders lists: owned by the disputes app so
orders know nothing of it. The lists prefetch each order's disputes (``CARD_DISPUTES``,
registered in ``disputes.apps``), so a card costs no query."""

from django import template
from django.db.models import Prefetch
from django.utils.translation import pgettext

from disputes.deadlines import next_step
from disputes.models import Dispute, DisputeStatus, Outcome
from orders.money import format_money

register = template.Library()

# What the badge reads (badge(), next_step()), and no more.
BADGE_FIELDS = (
    "order",
    "status",
    "stage",
    "stage_deadline",
    "information_requested_from",
    "outcome",
    "refund_amount",
    "opened_at",
)
# Into a plain list: a prefetched queryset per order is built for every card.
# Unordered: the badge picks the latest itself, and an ORDER BY costs the ORM more to
# compile than PostgreSQL takes to run it on a page's few disputes.
CARD_DISPUTES = Prefetch(
    "disputes", queryset=Dispute.objects.order_by().only(*BADGE_FIELDS), to_attr="card_disputes"
)


def badge(dispute):
    """What the buyer needs to know of ``dispute`` at a glance: (state, words)."""
    amount = format_money(dispute.refunded_amount or 0, dispute.order.currency)
    match dispute.status:
        case DisputeStatus.OPEN:
            # The stage table's badge, for whoever acts in it (disputes.stages).
            state, words = next_step(dispute).told.badge
            return state, str(words)
        case DisputeStatus.DECIDED if dispute.outcome == Outcome.REJECTED:
            return "against_you", pgettext("dispute badge", "Decided against you")
        case DisputeStatus.DECIDED:
            return "refunded", pgettext("dispute badge", "Refunded %(amount)s") % {"amount": amount}
        case DisputeStatus.AGREED:
            words = pgettext("dispute badge", "Ended by agreement: %(amount)s")
            return "agreed", words % {"amount": amount}
    return "cancelled", pgettext("dispute badge", "Dispute cancelled")


@register.inclusion_tag("disputes/_dispute_badge.html")
def dispute_badge(order):
    # Reopening reuses the cancelled dispute, so the latest one is the order's dispute.
    dispute = max(order.card_disputes, key=lambda d: (d.opened_at, d.pk), default=None)
    state, words = badge(dispute) if dispute else (None, "")
    return {"state": state, "words": words}
