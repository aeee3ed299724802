"""/metrics: who may read it, the requests it counts, and what it counts in the database at
scrape time (with a fixed clock), in a handful of queries whatever the data."""

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.db import DatabaseError, connection
from django.tasks import TaskResultStatus
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from api.models import ApiClient, DeliveryStatus, WebhookDelivery
from disputes import refunds, tasks
from disputes.models import Dispute, RefundInstruction, RefundStatus, Stage
from observability import collectors, metrics
from observability.collectors import DatabaseCollector
from tests.disputes.builders import agreed_dispute, answerable_dispute, refused_dispute
from tests.factories import make_mediator, make_user
from tests.observability.scraping import samples, scrape, value

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def collected(now=NOW):
    return samples(metrics.exposition(DatabaseCollector(now=now)).decode())


# Who may read it.


def test_metrics_answer_a_scrape_from_this_machine(client):
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert "disputes_overdue " in response.content.decode()


@pytest.mark.parametrize("address", ["10.1.2.3", "203.0.113.9", "::ffff:10.0.0.1"])
def test_metrics_are_not_found_from_other_addresses(client, address):
    assert client.get("/metrics", REMOTE_ADDR=address).status_code == 404


def test_the_operator_names_the_networks_allowed(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]

    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404


def test_a_request_relayed_by_a_proxy_on_this_machine_is_not_local(client, settings):
    settings.FORWARDED_FOR_PROXIES = 1
    relayed = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}

    assert client.get("/metrics", **relayed).status_code == 404


def test_the_bearer_token_opens_metrics_from_anywhere(client, settings):
    settings.METRICS_TOKEN = "scrape-secret-0123456789"
    elsewhere = {"REMOTE_ADDR": "203.0.113.9"}

    def status(authorization):
        return client.get("/metrics", headers={"Authorization": authorization}, **elsewhere)

    assert status("Bearer scrape-secret-0123456789").status_code == 200
    assert status("Bearer scrape-secret-0123456780").status_code == 404
    assert status("Basic scrape-secret-0123456789").status_code == 404
    assert status("Bearer sécret").status_code == 404


def test_no_token_is_accepted_when_none_is_set(client, settings):
    settings.METRICS_TOKEN = ""
    headers = {"Authorization": "Bearer "}

    assert client.get("/metrics", headers=headers, REMOTE_ADDR="203.0.113.9").status_code == 404


# Requests, as they are served.


def test_requests_are_counted_by_view_method_and_status_with_their_time(client):
    before = scrape(client)
    client.get("/healthz")
    client.get("/healthz")
    client.get("/no-such-page/")
    after = scrape(client)

    def grew(name, **labels):
        return (value(after, name, **labels) or 0) - (value(before, name, **labels) or 0)

    assert grew("django_http_requests_total", view="health", method="GET", status="200") == 2
    assert grew("django_http_requests_total", view="unmatched", method="GET", status="404") == 1
    assert grew("django_http_request_duration_seconds_count", view="health", method="GET") == 2
    # The scrape before is counted too, by the name of its URL pattern.
    assert grew("django_http_requests_total", view="metrics", method="GET", status="200") == 1


def test_invented_methods_are_counted_together(client):
    before = scrape(client)
    client.generic("BREW", "/healthz")
    client.generic("WHEN", "/healthz")
    after = scrape(client)

    labels = {"view": "health", "method": "other", "status": "200"}
    grew = value(after, "django_http_requests_total", **labels) - (
        value(before, "django_http_requests_total", **labels) or 0
    )
    assert grew == 2
    assert not any(dict(labels).get("method") == "BREW" for _name, labels in after)


def test_gunicorn_workers_counts_add_up_in_the_worker_that_answers(tmp_path):
    """prometheus-client's multiprocess mode, as gunicorn.conf.py sets it: two workers
    count requests, a third process answers the scrape with their sum."""
    environment = {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PATH": ""}

    def in_a_worker(code):
        return subprocess.run(
            [sys.executable, "-c", f"from observability import metrics; {code}"],
            cwd=settings.BASE_DIR,
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    count = "metrics.REQUESTS.labels('health', 'GET', 200).inc()"
    in_a_worker(count)
    in_a_worker(f"{count}; {count}")
    scraped = samples(in_a_worker("print(metrics.exposition().decode())"))

    total = value(scraped, "django_http_requests_total", view="health", method="GET", status="200")
    assert total == 3


# The database, at scrape time.


def test_tasks_are_counted_by_name_and_state_and_the_oldest_due_one_by_its_wait():
    tasks.sweep_deadlines.using(run_after=NOW - timedelta(minutes=7)).enqueue()
    tasks.sweep_deadlines.using(run_after=NOW + timedelta(days=1)).enqueue()  # not due yet
    running = tasks.sweep_deadlines.enqueue()
    DBTaskResult.objects.filter(pk=running.id).update(status=TaskResultStatus.RUNNING)
    failed = tasks.act_on_deadline.enqueue(1)
    DBTaskResult.objects.filter(pk=failed.id).update(status=TaskResultStatus.FAILED)

    scraped = collected()

    sweep, act = tasks.sweep_deadlines.module_path, tasks.act_on_deadline.module_path
    assert value(scraped, "disputes_tasks", task=sweep, state="queued") == 2
    assert value(scraped, "disputes_tasks", task=sweep, state="running") == 1
    assert value(scraped, "disputes_tasks", task=act, state="failed") == 1
    assert value(scraped, "disputes_task_oldest_due_seconds") == 7 * 60


def test_a_task_queued_without_a_time_is_due_since_it_was_queued():
    queued = tasks.sweep_deadlines.enqueue()
    DBTaskResult.objects.filter(pk=queued.id).update(enqueued_at=NOW - timedelta(minutes=3))

    assert value(collected(), "disputes_task_oldest_due_seconds") == 3 * 60


def test_emails_waiting_for_a_retry_and_given_up_are_counted():
    email = {"to": "bob@example.com", "subject": "Your dispute", "body": "..."}
    tasks.deliver_email.enqueue(**email)  # a first attempt: not a retry
    tasks.deliver_email.enqueue(**email, attempt=2)
    given_up = tasks.deliver_email.enqueue(**email, attempt=tasks.EMAIL_ATTEMPTS)
    retried = tasks.deliver_email.enqueue(**email, attempt=3)
    DBTaskResult.objects.filter(pk__in=[given_up.id, retried.id]).update(
        status=TaskResultStatus.FAILED
    )

    scraped = collected()

    assert value(scraped, "disputes_emails_retrying") == 1
    assert value(scraped, "disputes_emails_given_up") == 1


def test_webhooks_failing_are_counted_by_client_with_how_long_they_have_failed():
    marketplace, _ = ApiClient.create("Marketplace", webhook_url="https://example.com/hooks")
    ApiClient.create("Accounting", webhook_url="https://example.org/hooks")

    def delivery(event_id, **fields):
        WebhookDelivery.objects.create(
            client=marketplace, event_id=event_id, kind="dispute.decided", body="{}", **fields
        )

    delivery("e1", attempts=3, retrying_since=NOW - timedelta(hours=2), next_attempt_at=NOW)
    delivery("e2", attempts=1, retrying_since=NOW - timedelta(minutes=1), next_attempt_at=NOW)
    delivery("e3")  # never tried yet: not failing
    delivery("e4", status=DeliveryStatus.FAILED, attempts=30)

    scraped = collected()

    assert value(scraped, "disputes_webhooks_retrying", client="Marketplace") == 2
    assert value(scraped, "disputes_webhooks_failing_seconds", client="Marketplace") == 7200
    assert value(scraped, "disputes_webhooks_given_up", client="Marketplace") == 1
    assert value(scraped, "disputes_webhooks_retrying", client="Accounting") == 0
    assert value(scraped, "disputes_webhooks_failing_seconds", client="Accounting") == 0


def test_disputes_are_counted_by_stage_and_the_overdue_by_their_most_late_deadline():
    waiting = answerable_dispute(make_user("bob"))
    refused_dispute(make_user("carol"))
    Dispute.objects.filter(pk=waiting.pk).update(stage_deadline=NOW - timedelta(minutes=16))

    scraped = collected()

    assert value(scraped, "disputes_open", stage=Stage.WAITING_FOR_SELLER) == 1
    assert value(scraped, "disputes_open", stage=Stage.WITH_MEDIATOR) == 1
    assert value(scraped, "disputes_open", stage=Stage.INFORMATION_REQUESTED) == 0
    assert value(scraped, "disputes_overdue") == 1
    assert value(scraped, "disputes_overdue_seconds") == 16 * 60


def test_refunds_are_counted_by_the_statuses_waiting_on_the_marketplace_or_a_mediator():
    """Four agreements, each with its refund instructed: one waits for the marketplace,
    one was sent, one failed, and one failed and was instructed again (a new instruction
    waiting; the one it replaces counts no more)."""
    _waiting, sent, failed, again = (
        agreed_dispute(make_user(name)).refund_instructions.get()
        for name in ["bob", "carol", "dave", "erin"]
    )
    refunds.report_executed(refund_id=sent.public_id, reference="MP-1", executed_at=NOW, now=NOW)
    for refund in (failed, again):
        refunds.report_failed(refund_id=refund.public_id, reason="Card expired", now=NOW)
    refunds.instruct_again(refund=again, mediator=make_mediator(), now=NOW)

    scraped = collected()

    # The labels as the alert rules and dashboards read them.
    assert value(scraped, "disputes_refunds", status="instructed") == 2
    assert value(scraped, "disputes_refunds", status="failed") == 1
    assert RefundInstruction.objects.filter(status=RefundStatus.SUPERSEDED).count() == 1


def test_a_database_that_fails_leaves_the_readiness_and_drops_the_counts(monkeypatch):
    def fails(now):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(collectors, "_disputes", fails)

    scraped = collected()

    assert value(scraped, "disputes_ready", check="evidence storage") == 1
    assert value(scraped, "disputes_task_oldest_due_seconds") is None
    assert value(scraped, "disputes_overdue") is None


def test_a_scrape_costs_the_same_few_queries_whatever_the_data():
    with CaptureQueriesContext(connection) as empty:
        collected()
    for name in ["bob", "carol", "dave"]:
        answerable_dispute(make_user(name))
        refused_dispute(make_user(f"{name}-2"))
    ApiClient.create("Marketplace", webhook_url="https://example.com/hooks")

    with CaptureQueriesContext(connection) as busy:
        collected()

    assert len(busy) == len(empty) <= 10
