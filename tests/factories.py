"""Small builders for test data: explicit, no fixture files to keep in sync."""

import itertools
from datetime import UTC, datetime
from decimal import Decimal

from django.contrib.auth import get_user_model

from accounts.roles import mediators_group
from orders.models import Order, Seller

_numbers = itertools.count(8030000000000001)

# A fixed "now" for rule tests: 2026-03-20 12:00 UTC, a week before Paris moves to
# summer time, so windows can be made to straddle the change.
FIXED_NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


def make_user(username="alice", **fields):
    """The account ``username``, made once: a buyer, a shop's account (``make_seller_account``),
    or, with ``is_staff=True``, staff who are not mediators (``make_mediator``)."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=username, defaults={"email": f"{username}@example.com", **fields}
    )
    # Only a new account gets its password: setting it again would sign out the sessions
    # of an account fetched twice (a mediator logged in, then a builder making the same).
    if created:
        user.set_password("correct-horse-battery")
        user.save()
    return user


def make_mediator(username="mediator"):
    """A staff account in the "Mediators" group, as the admin's mediators are made."""
    user = make_user(username, is_staff=True)
    user.groups.add(mediators_group())
    return user


def make_seller(name="Shenzhen Gadget Store"):
    return Seller.objects.get_or_create(name=name)[0]


def make_order(buyer=None, *, placed_at=None, shipped_at=None, received_at=None, **fields):
    placed_at = placed_at or shipped_at or datetime(2026, 1, 1, 9, 30, tzinfo=UTC)
    defaults = {
        "number": str(next(_numbers)),
        "seller": make_seller(),
        "item": "USB-C cable, 2 m, braided",
        "description": "Braided nylon, 100 W, 2 m",
        "price": Decimal("12.99"),
        "currency": "EUR",
    }
    return Order.objects.create(
        buyer=buyer or make_user(),
        placed_at=placed_at,
        shipped_at=shipped_at,
        received_at=received_at,
        **(defaults | fields),
    )
