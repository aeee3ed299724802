"""Webhooks: queued with their event, signed, retried with backoff by the worker, each
attempt recorded, and sent again by staff."""

import json
import threading
from datetime import timedelta
from decimal import Decimal
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from standardwebhooks import Webhook, WebhookVerificationError

from api import tasks, webhook_types, webhooks
from api.models import ApiClient, DeliveryStatus, WebhookDelivery, new_webhook_secret
from disputes import actions
from disputes.models import EventKind, Outcome
from orders.receipts import confirm_receipt
from tests.conftest import run_tasks
from tests.disputes.builders import (
    agreed_dispute,
    answerable_dispute,
    appealed_dispute,
    decided_dispute,
    make_mediator,
    offered_dispute,
    seller_of,
)
from tests.factories import make_order

pytestmark = pytest.mark.django_db


class Receiver:
    """A real HTTP server on 127.0.0.1 that answers each POST with the next status (over
    TLS with ``tls``, a server-side ``ssl.SSLContext``)."""

    def __init__(self, statuses, tls=None):
        self.statuses = list(statuses)
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"thanks" if status == 200 else b"try later")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def deliveries_queued():
    return DBTaskResult.objects.filter(task_path=tasks.deliver_webhook.module_path)


def make_due():
    """The worker's clock jumps to the next retry: every queued delivery is due now."""
    pending = deliveries_queued().filter(status="READY")
    pending.update(run_after=timezone.now() - timedelta(seconds=1))


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (agreed_dispute, "dispute.agreed"),
        (partial(decided_dispute, outcome=Outcome.FULL_REFUND), "dispute.decided"),
    ],
)
def test_events_that_move_money_queue_one_delivery_per_client(marketplace, buyer, make, kind):
    ApiClient.create("Analytics")  # no URL: no webhooks
    revoked, _token = ApiClient.create("Old system", webhook_url="http://127.0.0.1:9/old")
    revoked.revoked_at = timezone.now()
    revoked.save()
    dispute = make(buyer)
    delivery = WebhookDelivery.objects.get(kind=kind)
    assert (delivery.client, delivery.kind) == (marketplace, kind)
    body = json.loads(delivery.body)
    assert body["type"] == kind
    assert body["id"] == delivery.event_id
    assert body["data"]["dispute"]["id"] == dispute.pk
    assert body["data"]["dispute"]["status"] == dispute.status
    # One per event for the one client: the outcome's, and its refund's instruction.
    assert list(WebhookDelivery.objects.order_by("pk").values_list("kind", flat=True)) == [
        kind,
        "refund.instructed",
    ]
    assert deliveries_queued().count() == 2


def test_an_accepted_offer_and_an_answered_appeal_are_sent(marketplace, buyer):
    dispute = offered_dispute(buyer)
    actions.accept_offer(dispute=dispute, buyer=buyer)
    appeal = appealed_dispute(buyer).appeal
    actions.answer_appeal(
        reason="item_as_described",
        appeal=appeal,
        mediator=make_mediator(),
        answer="We looked again.",
    )
    kinds = list(WebhookDelivery.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == [
        "dispute.agreed",
        "refund.instructed",
        "dispute.decided",
        "dispute.appeal_answered",
    ]
    agreed = json.loads(WebhookDelivery.objects.order_by("pk").first().body)["data"]
    assert agreed["event"]["kind"] == "offer_accepted"
    assert agreed["dispute"]["outcome"]["refund_amount"] == "5.00"


def test_by_default_other_events_send_nothing(marketplace, buyer):
    dispute = answerable_dispute(buyer)
    actions.make_offer(dispute=dispute, seller=seller_of(dispute), amount=Decimal("4.00"))
    actions.post_message(dispute=dispute, author=buyer, body="Still waiting.")
    assert not WebhookDelivery.objects.exists()


def test_a_client_gets_every_event_type_it_chose_and_only_those(marketplace, buyer):
    everything, _token = ApiClient.create("Everything", webhook_url="http://127.0.0.1:9/all")
    everything.webhook_types = [value for value, _label in webhook_types.choices()]
    everything.save()
    marketplace.webhook_types = ["dispute.opened", "dispute.offer_made"]
    marketplace.save()
    dispute = answerable_dispute(buyer)
    actions.make_offer(dispute=dispute, seller=seller_of(dispute), amount=Decimal("4.00"))
    actions.post_message(dispute=dispute, author=buyer, body="Still waiting.")

    def kinds(client):
        return list(client.deliveries.order_by("pk").values_list("kind", flat=True))

    assert kinds(marketplace) == ["dispute.opened", "dispute.offer_made"]
    assert kinds(everything) == ["dispute.opened", "dispute.offer_made", "dispute.message"]


def test_every_dispute_event_kind_has_a_webhook_type():
    chosen = {value for value, _label in webhook_types.choices()}
    assert {webhook_types.for_dispute_event(kind) for kind in EventKind} <= chosen
    assert set(webhook_types.default()) <= chosen


def test_a_rolled_back_event_has_no_webhook(marketplace, buyer):
    dispute = answerable_dispute(buyer)
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.accept_request(dispute=dispute, seller=seller_of(dispute))
        raise RuntimeError("the transaction fails after the event")
    assert not WebhookDelivery.objects.exists()
    assert not deliveries_queued().exists()


def test_queue_is_open_to_other_events_and_queues_an_id_once(marketplace, buyer):
    order = make_order(buyer, shipped_at=timezone.now(), received_at=timezone.now())
    payload = {"order": webhooks.order_payload(order), "confirmed_at": "2026-10-09T08:00:00Z"}
    first = webhooks.queue(webhooks.RECEIPT_CONFIRMED, payload, event_id="receipt-42")
    again = webhooks.queue(webhooks.RECEIPT_CONFIRMED, payload, event_id="receipt-42")
    assert len(first) == 1
    assert again == []
    body = json.loads(WebhookDelivery.objects.get().body)
    assert body["type"] == "order.receipt_confirmed"
    assert body["data"] == json.loads(json.dumps(payload))
    assert body["data"]["order"]["status"] == "received"


def test_a_real_receiver_refuses_twice_then_gets_the_third_attempt(marketplace, buyer):
    """The worker POSTs to a server on 127.0.0.1 that answers 503, 500, then 200: each
    attempt is signed with the client's secret and recorded, the waits double, and the
    event keeps its id."""
    with Receiver([503, 500, 200]) as receiver:
        marketplace.webhook_url = receiver.url
        marketplace.save()
        dispute = decided_dispute(buyer, outcome=Outcome.REJECTED)  # no refund: one webhook
        delivery = WebhookDelivery.objects.get()
        waits = []
        for _attempt in range(3):
            before = timezone.now()
            run_tasks()
            delivery.refresh_from_db()
            if delivery.next_attempt_at:
                waits.append(delivery.next_attempt_at - before)
            make_due()
        assert len(receiver.requests) == 3

    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 3
    assert [a.status_code for a in delivery.attempt_log.all()] == [503, 500, 200]
    assert "thanks" not in str(delivery.attempt_log.values())  # the answer's body is not kept
    assert timedelta(minutes=1) <= waits[0] < timedelta(minutes=1, seconds=10)
    assert timedelta(minutes=2) <= waits[1] < timedelta(minutes=2, seconds=10)

    ids = set()
    for number, (headers, body) in enumerate(receiver.requests, start=1):
        assert Webhook(marketplace.webhook_secret).verify(body, headers)
        with pytest.raises(WebhookVerificationError):
            Webhook(new_webhook_secret()).verify(body, headers)
        assert headers["Content-Type"] == "application/json"
        assert headers["X-Dispute-Delivery-Attempt"] == str(number)
        assert body.decode() == delivery.body
        ids.add(headers["webhook-id"])
        assert json.loads(body)["data"]["dispute"]["outcome"]["outcome"] == "rejected"
    assert ids == {f"dispute-event-{dispute.events.get(kind='decided').pk}"}


def test_nobody_listening_is_recorded_and_retried(marketplace, buyer):
    decided_dispute(buyer)  # port 9 on 127.0.0.1: nothing listens
    run_tasks()
    delivery = WebhookDelivery.objects.get()
    attempt = delivery.attempt_log.get()
    assert attempt.status_code is None
    assert "Error" in attempt.error
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.next_attempt_at > timezone.now()


def test_retries_go_on_for_at_least_24_hours_then_stop(marketplace, buyer):
    decided_dispute(buyer)
    run_tasks()
    delivery = WebhookDelivery.objects.get()
    delivery.retrying_since = timezone.now() - timedelta(hours=23, minutes=59)
    delivery.save()
    make_due()
    run_tasks()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING  # still under 24 hours at that attempt
    delivery.retrying_since = timezone.now() - timedelta(hours=24)
    delivery.save()
    make_due()
    run_tasks()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 3
    assert deliveries_queued().filter(status="READY").count() == 0


def test_backoff_doubles_up_to_an_hour_and_covers_a_day():
    delays = [webhooks.next_delay(n) for n in range(1, 40)]
    assert delays[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert max(delays) == timedelta(hours=1)
    assert sum(delays[:30], timedelta()) >= timedelta(hours=24)


def test_a_revoked_client_gets_no_more_attempts(marketplace, buyer):
    decided_dispute(buyer)
    marketplace.revoked_at = timezone.now()
    marketplace.save()
    run_tasks()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert "revoked" in delivery.attempt_log.get().error


def test_send_again_makes_one_more_attempt_and_a_stale_retry_does_nothing(marketplace, buyer):
    with Receiver([500, 200, 200]) as receiver:
        marketplace.webhook_url = receiver.url
        marketplace.save()
        decided_dispute(buyer)
        run_tasks()  # 500: a retry is queued for a minute later
        delivery = WebhookDelivery.objects.get()
        webhooks.send_again(delivery)
        run_tasks()  # the "send again" attempt, now
        make_due()
        run_tasks()  # the retry queued earlier: that attempt was made, it does nothing
        assert len(receiver.requests) == 2
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 200]


def test_a_redirect_is_not_followed(marketplace, buyer):
    with Receiver([302]) as receiver:
        marketplace.webhook_url = receiver.url
        marketplace.save()
        decided_dispute(buyer)
        run_tasks()
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempt_log.get().status_code == 302
    assert delivery.status == DeliveryStatus.PENDING


def test_a_confirmed_receipt_is_sent_to_the_marketplace(marketplace, buyer):
    shipped = timezone.now() - timedelta(days=3)
    order = make_order(buyer, shipped_at=shipped)

    confirm_receipt(order=order, buyer=buyer)

    body = json.loads(WebhookDelivery.objects.get().body)
    assert body["type"] == "order.receipt_confirmed"
    assert body["data"]["order"]["number"] == order.number
    assert body["data"]["order"]["status"] == "received"
    assert body["data"]["received_at"]
