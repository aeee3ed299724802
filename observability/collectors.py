"""What the database and this process's dependencies say, counted when Prometheus asks.

One collector, run once per scrape by the process answering it: a handful of grouped
counts, each on an index (the queue's own on its waiting tasks, ``observability``'s
migration on the unfinished ones, the disputes' deadline index, the webhooks' queue index,
the refunds' status index).
The numbers are the whole system's, the same whichever app server answers: add them up
across servers with ``max``, not ``sum`` (docs/deploy.md).
"""

import logging
import time
from collections.abc import Iterator
from datetime import datetime

from django.db import DatabaseError
from django.db.models import Count, Min, Q
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from api.models import ApiClient, DeliveryStatus, WebhookDelivery
from config import readiness
from disputes import tasks
from disputes.models import Dispute, RefundInstruction, RefundStatus
from disputes.stages import Stage

logger = logging.getLogger(__name__)

# The states of a task that an operator watches, by django-tasks-db's status.
TASK_STATES = {
    TaskResultStatus.READY: "queued",
    TaskResultStatus.RUNNING: "running",
    TaskResultStatus.FAILED: "failed",
}
# The statuses of a refund instruction (disputes.refunds) that wait on the marketplace's
# report or on a mediator.
REFUND_STATES = (RefundStatus.INSTRUCTED, RefundStatus.FAILED)


class DatabaseCollector(Collector):
    """Readiness, tasks, emails, webhooks, disputes and refunds, as of ``now`` (the clock,
    unless a test gives one)."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now

    def collect(self) -> Iterator[Metric]:
        started = time.perf_counter()
        now = self.now or timezone.now()
        ready = GaugeMetricFamily(
            "disputes_ready",
            "1 when this server reaches what it needs (as /readyz), by check.",
            labels=["check"],
        )
        for check, answers in readiness.checks().items():
            ready.add_metric([check], int(answers))
        yield ready
        try:
            # Gathered before any is given out: a database that fails half way gives none.
            counted = [*_tasks(now), *_emails(), *_webhooks(now), *_disputes(now), *_refunds()]
        except DatabaseError:
            logger.exception("Metrics: the database could not be counted")
            counted = []
        yield from counted
        yield GaugeMetricFamily(
            "disputes_metrics_collect_seconds",
            "How long counting these metrics took, in this scrape.",
            value=time.perf_counter() - started,
        )


def _tasks(now: datetime) -> Iterator[Metric]:
    by_state = GaugeMetricFamily(
        "disputes_tasks",
        "Background tasks queued (due or later), running, or failed and not yet pruned.",
        labels=["task", "state"],
    )
    unfinished = (
        DBTaskResult.objects.filter(status__in=list(TASK_STATES))
        .values_list("task_path", "status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for task_path, status, count in unfinished:
        by_state.add_metric([task_path, TASK_STATES[status]], count)
    yield by_state

    # A task queued without a time has django-tasks-db's far future as its run_after and is
    # due since it was queued.
    unscheduled = get_date_max()
    due = DBTaskResult.objects.filter(
        Q(run_after__lte=now) | Q(run_after=unscheduled), status=TaskResultStatus.READY
    ).aggregate(
        since_time=Min("run_after", filter=Q(run_after__lte=now)),
        since_queued=Min("enqueued_at", filter=Q(run_after=unscheduled)),
    )
    due_since = min(filter(None, due.values()), default=None)
    yield GaugeMetricFamily(
        "disputes_task_oldest_due_seconds",
        "How long the task that has been due longest has waited for a worker (0: none).",
        value=(now - due_since).total_seconds() if due_since else 0,
    )


def _emails() -> Iterator[Metric]:
    # Each failed send is a failed task with its retry queued; the last one gives up.
    emails = DBTaskResult.objects.filter(
        task_path=tasks.deliver_email.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.FAILED],
    ).aggregate(
        retrying=Count(
            "pk", filter=Q(status=TaskResultStatus.READY, args_kwargs__kwargs__attempt__gte=2)
        ),
        given_up=Count(
            "pk",
            filter=Q(
                status=TaskResultStatus.FAILED,
                args_kwargs__kwargs__attempt=tasks.EMAIL_ATTEMPTS,
            ),
        ),
    )
    yield GaugeMetricFamily(
        "disputes_emails_retrying",
        "Emails whose send failed, waiting to be tried again.",
        value=emails["retrying"],
    )
    yield GaugeMetricFamily(
        "disputes_emails_given_up",
        "Emails given up after every attempt failed (until their tasks are pruned).",
        value=emails["given_up"],
    )


def _webhooks(now: datetime) -> Iterator[Metric]:
    retrying = GaugeMetricFamily(
        "disputes_webhooks_retrying",
        "Webhook deliveries that failed and wait for their next attempt, by client.",
        labels=["client"],
    )
    failing = GaugeMetricFamily(
        "disputes_webhooks_failing_seconds",
        "How long the client's oldest undelivered webhook has been failing (0: none).",
        labels=["client"],
    )
    given_up = GaugeMetricFamily(
        "disputes_webhooks_given_up",
        "Webhook deliveries given up after retrying for a day, by client.",
        labels=["client"],
    )
    clients = set(ApiClient.objects.receiving_webhooks().values_list("name", flat=True))
    pending = dict.fromkeys(clients, (0, None)) | {
        name: (count, since)
        for name, count, since in WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__isnull=False, attempts__gt=0
        )
        .values_list("client__name")
        .annotate(count=Count("pk"), since=Min("retrying_since"))
        .order_by()
    }
    for name, (count, since) in sorted(pending.items()):
        retrying.add_metric([name], count)
        failing.add_metric([name], (now - since).total_seconds() if since else 0)
    failed = dict.fromkeys(clients, 0) | dict(
        WebhookDelivery.objects.filter(status=DeliveryStatus.FAILED)
        .values_list("client__name")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for name, count in sorted(failed.items()):
        given_up.add_metric([name], count)
    yield from (retrying, failing, given_up)


def _disputes(now: datetime) -> Iterator[Metric]:
    by_stage = GaugeMetricFamily(
        "disputes_open", "Open disputes, by the stage they are in.", labels=["stage"]
    )
    # An open dispute always has a stage, an ended one never (a constraint): the deadline
    # index, which leads with the stage, counts them.
    counts = dict.fromkeys(Stage.values, 0) | dict(
        Dispute.objects.filter(stage__in=Stage.values)
        .values_list("stage")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for stage, count in counts.items():
        by_stage.add_metric([stage], count)
    yield by_stage
    overdue = Dispute.objects.overdue(now).aggregate(
        count=Count("pk"), oldest=Min("stage_deadline")
    )
    yield GaugeMetricFamily(
        "disputes_overdue",
        "Open disputes whose deadline has passed and that no worker has acted on yet.",
        value=overdue["count"],
    )
    yield GaugeMetricFamily(
        "disputes_overdue_seconds",
        "How long ago the deadline that is most overdue passed (0: none is).",
        value=(now - overdue["oldest"]).total_seconds() if overdue["oldest"] else 0,
    )


def _refunds() -> Iterator[Metric]:
    by_status = GaugeMetricFamily(
        "disputes_refunds",
        "Refund instructions waiting for the marketplace's report (instructed) or for a "
        "mediator (failed).",
        labels=["status"],
    )
    counts = dict.fromkeys(REFUND_STATES, 0) | dict(
        RefundInstruction.objects.filter(status__in=REFUND_STATES)
        .values_list("status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for status, count in counts.items():
        by_status.add_metric([status], count)
    yield by_status
