"""The order page's dispute panel: owned by the disputes app so orders know nothing of it."""

from django import template
from django.utils import timezone

from disputes.eligibility import dispute_eligibility

register = template.Library()


@register.inclusion_tag("disputes/_dispute_panel.html")
def dispute_panel(order):
    return {
        "order": order,
        # A decision against the buyer offers the appeal unless one was sent. Unordered:
        # the rules sort the disputes themselves.
        "eligibility": dispute_eligibility(
            order, order.disputes.select_related("appeal").order_by(), now=timezone.now()
        ),
    }
