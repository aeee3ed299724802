"""Order events the marketplace must hear of, queued as webhooks in the event's transaction.

Orders know nothing of the API: this receiver listens to the order events they record.
(Dispute events call ``webhooks.queue_for_event`` from ``disputes.events``.)
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from orders.models import OrderEvent, OrderEventKind

from . import webhooks


@receiver(post_save, sender=OrderEvent)
def queue_receipt_confirmed(sender, instance, created, **kwargs):
    if not created or instance.kind != OrderEventKind.RECEIPT_CONFIRMED:
        return
    webhooks.queue(
        webhooks.RECEIPT_CONFIRMED,
        {"order": webhooks.order_payload(instance.order), **instance.details},
        event_id=f"order-event-{instance.pk}",
        created_at=instance.created_at,
    )
