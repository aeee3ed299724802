"""The disputes sections of My account: the disputes waiting for the buyer's answer, and a
seller's disputes. Owned by the disputes app, so the orders app knows nothing of disputes
(as with the order page's dispute panel)."""

from operator import attrgetter

from django import template
from django.db.models import Count, Min

from disputes.models import Dispute, Party
from orders.models import Seller
from orders.navigation import remember_selling

register = template.Library()

# What the buyer's section shows of each dispute (disputes/_buyer_account.html), and no more.
BUYER_WAITING_FIELDS = ("stage_deadline", "order__item", "order__number")


@register.inclusion_tag("disputes/_seller_account.html", takes_context=True)
def seller_disputes_section(context):
    """How many disputes wait for the seller's answer, the soonest deadline and the return
    address; nothing for an account that is not a seller's."""
    request = context["request"]
    user = request.user
    seller = Seller.objects.filter(user=user).only("return_address").first()
    remember_selling(request.session, seller is not None)  # a seller linked since signing in
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


@register.inclusion_tag("disputes/_buyer_account.html", takes_context=True)
def buyer_disputes_section(context):
    """The buyer's disputes that wait for their answer (an offer, a mediator's question),
    soonest deadline first; nothing when none does."""
    waiting = (
        Dispute.objects.of_buyer(context["request"].user)
        .waiting_for(Party.BUYER)
        .select_related("order")
        .only(*BUYER_WAITING_FIELDS)
        .order_by()
    )
    # Sorted here: a buyer has a few such disputes at most, and the ORDER BY cost the ORM
    # more to compile than the sort.
    return {"waiting": sorted(waiting, key=attrgetter("stage_deadline", "pk"))}
