"""Webhooks: every dispute event and the buyer's receipt confirmation, POSTed to each
client with a webhook URL that chose its type (``ApiClient.webhook_types``), signed, and
retried until delivered (PRODUCT.md §10; docs/api.md).

``queue`` is called inside the transaction that records the event: the deliveries and
their tasks are rows of the same database (django.tasks, the DB backend), so an event is
never without its webhooks, and a rolled-back event has none. The worker (``db_worker``)
sends each one (``tasks.deliver_webhook``); a failed attempt queues the next one later,
doubling the wait up to ``MAX_DELAY``, for at least ``RETRY_FOR`` after the first. Each
event keeps one id across attempts — the id the events feed gives it — so a client
de-duplicates what arrives twice. Each attempt is signed anew (``signatures``).
"""

import json
import time
from datetime import datetime, timedelta
from typing import Any

import urllib3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from disputes.models import Dispute, DisputeEvent, RefundInstruction
from orders.models import Order

from . import representations, serializers, signatures, tasks, webhook_types, webhook_urls
from .models import ApiClient, DeliveryStatus, WebhookAttempt, WebhookDelivery

LEGACY_SIGNATURE_HEADER = "X-Dispute-Signature"
FIRST_RETRY = timedelta(minutes=1)
MAX_DELAY = timedelta(hours=1)
RETRY_FOR = timedelta(hours=24)
TIMEOUT_SECONDS = 10
USER_AGENT = "dispute-centre-webhooks/1"

# Sent by the buyer's "Confirm receipt" (PRODUCT.md §9), through ``queue``.
RECEIPT_CONFIRMED = webhook_types.RECEIPT_CONFIRMED


def _recipients(kind: str) -> list[ApiClient]:
    return [client for client in ApiClient.objects.receiving_webhooks() if client.receives(kind)]


def queue_for_event(event: DisputeEvent) -> list[WebhookDelivery]:
    """Queue the webhooks of a dispute event to the clients that chose its type."""
    kind = webhook_types.for_dispute_event(event.kind)
    if not _recipients(kind):
        return []
    # Read afresh (in the event's transaction): the caller's instance keeps its caches.
    dispute = (
        Dispute.objects.select_related(*representations.DISPUTE_RELATIONS)
        .prefetch_related(*representations.DISPUTE_PREFETCH)
        .get(pk=event.dispute_id)
    )
    event = representations.dispute_events(DisputeEvent.objects.all()).get(pk=event.pk)
    payload = {
        "dispute": serializers.DisputeSerializer(representations.dispute_data(dispute)).data,
        "event": serializers.EventSerializer(representations.event_data(event)).data,
    }
    if "refund" in event.details:
        instruction = RefundInstruction.objects.select_related("order", "replaces").get(
            public_id=event.details["refund"]
        )
        payload["refund"] = serializers.RefundSerializer(
            representations.refund_data(instruction)
        ).data
    return queue(
        kind, payload, event_id=representations.event_id(event), created_at=event.created_at
    )


def order_payload(order: Order) -> dict[str, Any]:
    """An order as the API shows it (``GET /api/v1/orders/{number}/``), for a payload such
    as the receipt confirmation's: ``{"order": order_payload(order), ...}``."""
    data: dict[str, Any] = serializers.OrderSerializer(representations.order_data(order)).data
    return data


def queue(
    kind: str,
    payload: dict[str, Any],
    *,
    event_id: str,
    created_at: datetime | None = None,
) -> list[WebhookDelivery]:
    """Queue the webhook ``kind`` with ``payload`` (a JSON-able dict: the body's ``data``)
    to every client that has a webhook URL, is not revoked and chose ``kind``, in the
    caller's transaction. ``event_id`` must be stable (the same event, the same id: clients
    de-duplicate by it); queuing an id again for a client does nothing. Returns the new
    deliveries."""
    body = json.dumps(
        {
            "id": event_id,
            "type": kind,
            "created_at": serializers.moment(created_at or timezone.now()),
            "data": payload,
        },
        cls=DjangoJSONEncoder,
        separators=(",", ":"),
        sort_keys=True,
    )
    deliveries = []
    for client in _recipients(kind):
        delivery, created = WebhookDelivery.objects.get_or_create(
            client=client, event_id=event_id, defaults={"kind": kind, "body": body}
        )
        if created:
            tasks.deliver_webhook.enqueue(delivery.pk, 1)
            deliveries.append(delivery)
    return deliveries


def _post(delivery: WebhookDelivery, attempt_number: int) -> tuple[int | None, str]:
    """POST the delivery once, to an address the rules allow (``webhook_urls``): (status
    code or None, error). The answer's body is never read: it is not ours to keep."""
    body = delivery.body.encode()
    now = timezone.now()
    timestamp = int(now.timestamp())
    secrets = delivery.client.signing_secrets(now)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": delivery.event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signatures.standard(secrets, delivery.event_id, timestamp, body),
        "X-Dispute-Event-Id": delivery.event_id,
        "X-Dispute-Event-Type": delivery.kind,
        "X-Dispute-Delivery-Attempt": str(attempt_number),
    }
    if settings.WEBHOOK_LEGACY_SIGNATURE:
        headers[LEGACY_SIGNATURE_HEADER] = signatures.legacy(secrets, timestamp, body)
    try:
        status = webhook_urls.post(
            delivery.client.webhook_url, body=body, headers=headers, timeout=TIMEOUT_SECONDS
        )
    except ValidationError as refusal:
        return None, f"Not sent: {refusal.messages[0]}"[:500]
    # Refused, timed out, TLS, a bad port in the URL.
    except (OSError, ValueError, urllib3.exceptions.HTTPError) as error:
        return None, f"{type(error).__name__}: {error}"[:500]
    return status, ""


def next_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 1, 2, 4… minutes, at most 1 hour."""
    return min(FIRST_RETRY * 2 ** min(attempts - 1, 20), MAX_DELAY)


def attempt_delivery(delivery_id: int, attempt_number: int) -> str:
    """Make attempt ``attempt_number`` of a delivery, record it, and queue the next one if
    it failed; returns the delivery's status. A task for an attempt already made (a
    "send again" and a retry both queued) does nothing."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("client")
            .get(pk=delivery_id)
        )
        if delivery.status != DeliveryStatus.PENDING or delivery.attempts + 1 != attempt_number:
            return delivery.status
        started = timezone.now()
        clock = time.monotonic()
        if delivery.client.is_revoked:
            status_code, error = None, "The client was revoked: not sent."
        else:
            status_code, error = _post(delivery, attempt_number)
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=attempt_number,
            attempted_at=started,
            duration_ms=int((time.monotonic() - clock) * 1000),
            status_code=status_code,
            error=error,
        )
        delivery.attempts = attempt_number
        delivery.retrying_since = delivery.retrying_since or started
        delivery.last_status_code = status_code
        delivery.next_attempt_at = None
        if status_code is not None and 200 <= status_code < 300:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = timezone.now()
        elif delivery.client.is_revoked or started - delivery.retrying_since >= RETRY_FOR:
            delivery.status = DeliveryStatus.FAILED
        else:
            delivery.next_attempt_at = started + next_delay(attempt_number)
            tasks.deliver_webhook.using(run_after=delivery.next_attempt_at).enqueue(
                delivery.pk, attempt_number + 1
            )
        delivery.save()
        return delivery.status


def send_again(delivery):
    """Staff's "send again": one more attempt now, then retries for another ``RETRY_FOR``
    if it fails. A delivered event is sent again too (same id: the client ignores it if it
    already has it)."""
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        delivery.status = DeliveryStatus.PENDING
        delivery.delivered_at = None
        delivery.retrying_since = None
        delivery.next_attempt_at = timezone.now()
        delivery.save()
        tasks.deliver_webhook.enqueue(delivery.pk, delivery.attempts + 1)
    return delivery
