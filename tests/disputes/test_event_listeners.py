"""A dispute event's effects are its listeners' (the emails, the marketplace's webhooks),
queued as rows of the event's own transaction: they commit with it and roll back with it.
``test_decision_without_mail_server`` shows them waiting in the queue once committed."""

import pytest
from django.db import connection, transaction
from django_tasks_db.models import DBTaskResult

from api import tasks as api_tasks
from api.models import ApiClient, WebhookDelivery
from disputes import actions, tasks
from disputes.models import DisputeEvent, EventKind, Outcome
from disputes.signals import dispute_event_recorded
from tests.disputes.builders import make_mediator, refused_dispute


class Crash(Exception):
    """What stops the transaction after the event was written."""


def queued(task):
    return DBTaskResult.objects.filter(task_path=task.module_path)


def decide(dispute):
    return actions.decide_dispute(
        reason="evidence_shows_defect",
        dispute=dispute,
        mediator=make_mediator(),
        outcome=Outcome.REJECTED,
        note="No fault.",
    )


# Committed by each step, as in production: a hook waiting for the commit would not run
# inside the test's transaction, so the rows seen there were written in it.
@pytest.mark.django_db(transaction=True)
def test_the_emails_and_webhooks_of_an_event_are_written_in_its_transaction(buyer):
    ApiClient.create("Marketplace", webhook_url="http://127.0.0.1:9/hooks")
    dispute = refused_dispute(buyer)
    queued(tasks.send_event_emails).delete()

    with pytest.raises(Crash), transaction.atomic():
        decide(dispute)
        assert queued(tasks.send_event_emails).count() == 1
        assert WebhookDelivery.objects.count() == 1
        assert queued(api_tasks.deliver_webhook).count() == 1
        raise Crash

    assert not DisputeEvent.objects.filter(kind=EventKind.DECIDED).exists()
    assert not queued(tasks.send_event_emails).exists()
    assert not WebhookDelivery.objects.exists()
    assert not queued(api_tasks.deliver_webhook).exists()


@pytest.mark.django_db(transaction=True)  # outside the test's own transaction
def test_a_new_channel_is_one_more_listener_called_inside_the_events_transaction(buyer):
    heard = []

    def listener(sender, *, event, **kwargs):
        heard.append((event.kind, connection.in_atomic_block))

    dispute_event_recorded.connect(listener)
    try:
        decide(refused_dispute(buyer))
    finally:
        dispute_event_recorded.disconnect(listener)

    kinds = [EventKind.OPENED, EventKind.SELLER_REFUSED, EventKind.ESCALATED, EventKind.DECIDED]
    assert heard == [(kind, True) for kind in kinds]
