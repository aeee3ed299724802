"""The buyer confirms that an order arrived (PRODUCT.md §9): the one way to record it.

The marketplace may not know that a parcel arrived. The buyer's confirmation sets the
receipt time, and so starts the dispute window; a receipt time the marketplace sends
later does not move it (``orders.importing`` keeps the buyer's).
"""

from datetime import datetime
from enum import StrEnum

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import User

from . import events
from .models import Order


class ReceiptErrorCode(StrEnum):
    NOT_YOURS = "not_yours"
    NOT_SHIPPED = "not_shipped"
    ALREADY_RECEIVED = "already_received"


class ReceiptError(Exception):
    """Receipt cannot be confirmed: ``code`` for programs and tests, ``message`` for the buyer."""

    def __init__(self, code: ReceiptErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@transaction.atomic
def confirm_receipt(*, order: Order, buyer: User, now: datetime | None = None) -> Order:
    """Record that ``buyer`` received ``order`` at ``now``; return the order as saved.

    The order row is locked and read again, so two confirmations (two tabs) record one.
    """
    now = now or timezone.now()
    try:
        order = Order.objects.select_for_update().get(pk=order.pk, buyer=buyer)
    except Order.DoesNotExist:
        raise ReceiptError(ReceiptErrorCode.NOT_YOURS, _("This order is not yours.")) from None
    if order.received_at is not None:
        received = formats.date_format(timezone.localtime(order.received_at), "DATETIME_FORMAT")
        raise ReceiptError(
            ReceiptErrorCode.ALREADY_RECEIVED,
            _("This order is already recorded as received, on %(date)s.") % {"date": received},
        )
    # A shipment dated later than now (the marketplace's clock) has not happened yet.
    if order.shipped_at is None or order.shipped_at > now:
        raise ReceiptError(
            ReceiptErrorCode.NOT_SHIPPED,
            _("The order has not shipped yet: you can confirm its receipt once it has."),
        )
    order.received_at = order.receipt_confirmed_at = now
    order.receipt_confirmed_by = buyer
    order.save(update_fields=["received_at", "receipt_confirmed_at", "receipt_confirmed_by"])
    events.receipt_confirmed_event(order=order, buyer=buyer, now=now)
    return order
