"""The order page's dispute panel: owned by the disputes app so orders know nothing of it."""

from django import template
from django.db.models import Exists, OuterRef
from django.utils import timezone

from disputes.deadlines import next_step
from disputes.eligibility import ReasonCode, dispute_eligibility
from disputes.models import Appeal
from disputes.parties import Party

register = template.Library()


@register.inclusion_tag("disputes/_dispute_panel.html")
def dispute_panel(order):
    """Whether a dispute can be opened on ``order``; while one is open, where it stands
    instead: its stage, who acts and by when, as its own page's next-step card says it."""
    now = timezone.now()
    # A decision against the buyer offers the appeal unless one was sent. Unordered:
    # the rules sort the disputes themselves.
    buyer_appealed = Exists(Appeal.objects.filter(dispute=OuterRef("pk"), party=Party.BUYER))
    eligibility = dispute_eligibility(
        order, order.disputes.annotate(buyer_appealed=buyer_appealed).order_by(), now=now
    )
    open_dispute = next(
        (r.dispute for r in eligibility.reasons if r.code == ReasonCode.DISPUTE_OPEN), None
    )
    return {
        "order": order,
        "eligibility": eligibility,
        "open_dispute": open_dispute,
        "next_step": next_step(open_dispute) if open_dispute else None,
        "now": now,
    }
