"""The one rule for a partial refund's amount, whether the buyer asks for it, the seller
offers it or a mediator decides it: more than nothing, and less than the price paid."""

from decimal import Decimal

from django.utils.translation import gettext as _

from orders.models import Order
from orders.money import format_money

from .errors import DisputeActionError, DisputeErrorCode


def checked_partial_refund(amount: Decimal | None, *, order: Order) -> Decimal:
    """``amount`` when it is more than 0 and less than ``order``'s price; otherwise an
    ``INVALID_AMOUNT`` error that writes the price the reader's way (in the active language)."""
    if amount is None or not (Decimal(0) < amount < order.price):
        raise DisputeActionError(
            DisputeErrorCode.INVALID_AMOUNT,
            _("Enter an amount more than 0 and less than the price paid (%(price)s).")
            % {"price": format_money(order.price, order.currency)},
        )
    return amount
