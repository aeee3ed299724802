"""The Disputes section of a seller's My account page: owned by the disputes app, so the
orders app knows nothing of disputes (as with the order page's dispute panel)."""

from django import template
from django.db.models import Count, Min

from disputes.models import Dispute, Party
from orders.models import Seller

register = template.Library()


@register.inclusion_tag("disputes/_seller_account.html", takes_context=True)
def seller_disputes_section(context):
    """How many disputes wait for the seller's answer, the soonest deadline and the return
    address; nothing for an account that is not a seller's."""
    user = context["request"].user
    seller = Seller.objects.filter(user=user).only("return_address").first()
    if seller is None:
        return {"is_seller": False}
    waiting = (
        Dispute.objects.of_seller(user)
        .waiting_for(Party.SELLER)
        .aggregate(count=Count("pk"), soonest=Min("stage_deadline"))
    )
    return {
        "is_seller": True,
        "waiting": waiting["count"],
        "soonest": waiting["soonest"],
        "return_address": seller.return_address,
    }
