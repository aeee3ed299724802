"""Events the marketplace must hear of, queued as webhooks in the event's transaction.

Neither orders nor disputes know of the API: these receivers listen to the events they
record, the order events saved and the dispute events announced.
"""

from datetime import datetime

from django.db.models.signals import post_save
from django.dispatch import receiver

from disputes.models import DisputeEvent
from disputes.signals import dispute_event_recorded
from orders.models import OrderEvent, OrderEventKind

from . import representations, serializers, webhooks


@receiver(post_save, sender=OrderEvent)
def queue_receipt_confirmed(
    sender: type[OrderEvent], instance: OrderEvent, created: bool, **kwargs: object
) -> None:
    if not created or instance.kind != OrderEventKind.RECEIPT_CONFIRMED:
        return
    received_at = datetime.fromisoformat(instance.details["received_at"])
    webhooks.queue(
        webhooks.RECEIPT_CONFIRMED,
        {
            "order": webhooks.order_payload(instance.order),
            "received_at": serializers.moment(received_at),
        },
        event_id=representations.order_event_id(instance),
        created_at=instance.created_at,
    )


@receiver(dispute_event_recorded)
def queue_dispute_event(sender: object, *, event: DisputeEvent, **kwargs: object) -> None:
    """Queue the event's webhooks, if its kind is one the marketplace gets."""
    webhooks.queue_for_event(event)
