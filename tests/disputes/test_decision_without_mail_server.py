"""A mediator decides in the admin while the mail server is down: the decision is saved
and the buyer's email waits in the queue, retried by the worker until it leaves.

The request's commit is the only write: the emails and the marketplace's webhook, the
decision's listeners, were queued in its transaction, so a crash between that commit and
any send loses nothing (the next worker finds them).

The mail server is production's SMTP backend aimed at a closed port (127.0.0.1:9, where
nothing listens): a real refused connection, no mock."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from api import tasks as api_tasks
from api.models import ApiClient, WebhookDelivery
from disputes import tasks
from disputes.models import DisputeStatus, EventKind, Outcome
from tests.conftest import run_tasks
from tests.disputes.builders import make_mediator, refused_dispute, seller_of
from tests.disputes.test_admin_mediation import action_url, submit
from tests.disputes.test_notifications import deliveries, sent

SMTP_DOWN = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": 9, "use_tls": True, "timeout": 5},
    }
}


def queued(task, *args):
    return DBTaskResult.objects.filter(
        task_path=task.module_path, status="READY", args_kwargs__args=list(args)
    )


@pytest.mark.django_db(transaction=True)  # the request commits, as in production
def test_a_decision_saved_while_the_mail_server_is_down_answers_and_keeps_its_emails(
    buyer, settings
):
    dispute = refused_dispute(buyer)
    run_tasks()  # the emails of the opening and the refusal, sent while the server was up
    deliveries().delete()
    ApiClient.create("Marketplace", webhook_url="http://127.0.0.1:9/hooks")
    settings.MAILERS = SMTP_DOWN
    mediator = Client(enforce_csrf_checks=True)
    mediator.force_login(make_mediator())

    response = submit(
        mediator,
        action_url("admin:disputes_dispute_decide", dispute),
        {
            "reason": "item_as_described",
            "outcome": Outcome.REJECTED,
            "note": "The photos show the cable works.",
        },
    )

    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.DECIDED
    decided = dispute.events.get(kind=EventKind.DECIDED)
    # Committed, and nothing has run since: both listeners' work is already in the queue.
    assert queued(tasks.send_event_emails, decided.pk).exists()
    webhook = WebhookDelivery.objects.get(event_id=f"dispute-event-{decided.pk}")
    assert queued(api_tasks.deliver_webhook, webhook.pk, 1).exists()

    # The worker: each send is refused by the closed port, fails, and is queued again.
    mail.outbox.clear()
    before = timezone.now()
    run_tasks()
    recipients = {buyer.email, seller_of(dispute).email}
    failed = deliveries().filter(status="FAILED")
    retries = deliveries().filter(status="READY")
    assert {to for to, _subject in sent(failed)} == recipients
    assert sent(retries) == sent(failed)
    for retry in retries:
        assert retry.args_kwargs["kwargs"]["attempt"] == 2
        assert retry.run_after >= before + tasks.EMAIL_FIRST_RETRY
    assert "refused" in failed.first().traceback.lower()

    # The server is back: once due, the retries deliver the decision.
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    retries.update(run_after=timezone.now() - timedelta(seconds=1))
    run_tasks()
    assert {email.to[0] for email in mail.outbox} == recipients
