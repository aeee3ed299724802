"""The two parties of a dispute, and which one a person is: answered here and nowhere else."""

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from orders.models import Order

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

# Who acts when neither party does: the mediators (never a party, nor a user's role here).
MEDIATOR = "mediator"


class Party(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    SELLER = "seller", _("Seller")


def party_of(user: "AbstractBaseUser | AnonymousUser | int | None", order: Order) -> Party | None:
    """The party ``user`` (a user, or a user's pk) is on ``order``, or None for anyone else.

    One account can be both (a seller buying from themselves): it is the buyer then, as the
    actions never let a seller answer their own dispute.
    """
    return party_among(user, buyer_id=order.buyer_id, seller_user_id=order.seller.user_id)


def party_among(
    user: "AbstractBaseUser | AnonymousUser | int | None",
    *,
    buyer_id: int,
    seller_user_id: int | None,
) -> Party | None:
    """``party_of`` from the ids of an order's buyer and of its seller's account (None: a
    seller without one), for a read that has only those."""
    user_id = user if isinstance(user, int) or user is None else user.pk
    if user_id is None:
        return None
    if user_id == buyer_id:
        return Party.BUYER
    if user_id == seller_user_id:
        return Party.SELLER
    return None
