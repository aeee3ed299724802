"""One function per kind of order event: the shape of each event's ``details``, written once.

- receipt_confirmed: ``received_at`` (ISO 8601, UTC), the receipt time the buyer set.
- receipt_reported: ``received_at``, the receipt time the marketplace sent for an order
  with a dispute, and ``window_from``, the receipt time its dispute window still runs from
  (the same when the order had none).

The marketplace will be told of these through its webhook (PRODUCT.md §10), each event's
id making the delivery idempotent.
"""

from datetime import datetime

from .models import Order, OrderEvent, OrderEventKind


def receipt_confirmed_event(*, order: Order, buyer, now: datetime) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order,
        kind=OrderEventKind.RECEIPT_CONFIRMED,
        actor=buyer,
        created_at=now,
        details={"received_at": order.received_at.isoformat()},
    )


def receipt_reported_event(
    *, order: Order, received_at: datetime, window_from: datetime
) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order,
        kind=OrderEventKind.RECEIPT_REPORTED,
        actor=None,
        details={
            "received_at": received_at.isoformat(),
            "window_from": window_from.isoformat(),
        },
    )
