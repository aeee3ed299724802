"""What an operator sees when every worker has stopped: a deadline passes, /metrics shows
the overdue dispute and the due task waiting, and the alert rules fire on those series
(promtool); once a worker runs the queue, both fall back to zero and the alerts end."""

from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from disputes import tasks
from disputes.models import Dispute, Stage
from tests.conftest import run_tasks
from tests.disputes.builders import answerable_dispute
from tests.factories import make_user
from tests.observability.scraping import run_promtool, scrape, value
from tests.observability.test_alert_rules import alert_descriptions

pytestmark = pytest.mark.django_db

ALERTS = Path(settings.BASE_DIR) / "deploy" / "prometheus" / "alerts.yml"
LATE = timedelta(minutes=20)  # how long ago the seller's deadline passed, no worker running


def test_a_passed_deadline_without_a_worker_shows_and_alerts_until_a_worker_runs(client, tmp_path):
    dispute = answerable_dispute(make_user("bob"))
    run_tasks()  # the opening emails go; the deadline's task waits for its time
    before = scrape(client)
    assert value(before, "disputes_overdue") == 0
    assert value(before, "disputes_task_oldest_due_seconds") == 0
    assert value(before, "disputes_open", stage=Stage.WAITING_FOR_SELLER) == 1

    # The deadline passes while no worker runs.
    passed_at = timezone.now() - LATE
    Dispute.objects.filter(pk=dispute.pk).update(stage_deadline=passed_at)
    DBTaskResult.objects.filter(task_path=tasks.act_on_deadline.module_path).update(
        run_after=passed_at
    )
    stopped = scrape(client)
    assert value(stopped, "disputes_overdue") == 1
    assert value(stopped, "disputes_overdue_seconds") >= LATE.total_seconds()
    assert value(stopped, "disputes_task_oldest_due_seconds") >= LATE.total_seconds()
    assert (
        value(stopped, "disputes_tasks", task=tasks.act_on_deadline.module_path, state="queued")
        == 1
    )

    assert run_tasks() >= 1  # a worker again: the seller's silence escalates the dispute
    running = scrape(client)
    assert value(running, "disputes_overdue") == 0
    assert value(running, "disputes_overdue_seconds") == 0
    assert value(running, "disputes_task_oldest_due_seconds") == 0
    assert value(running, "disputes_open", stage=Stage.WITH_MEDIATOR) == 1

    # Prometheus scraping every minute: ten minutes stopped, growing a minute each minute
    # from what was scraped (whole minutes), then ten with a worker.
    overdue = whole_minutes(value(stopped, "disputes_overdue_seconds"))
    oldest_due = whole_minutes(value(stopped, "disputes_task_oldest_due_seconds"))
    late_deadline = (
        f"A dispute's deadline passed {minutes(overdue + 300)} ago and nothing acted on it"
    )
    waiting_task = f"No worker has taken a due task for {minutes(oldest_due + 300)}"
    (tmp_path / "stopped_worker_test.yml").write_text(
        promtool_test(
            series={
                "disputes_overdue_seconds": f"{overdue}+60x9 0x10",
                "disputes_task_oldest_due_seconds": f"{oldest_due}+60x9 0x10",
            },
            expected={
                ("DeadlineOverdue", "5m"): late_deadline,
                ("DueTasksNotTaken", "5m"): waiting_task,
                ("DeadlineOverdue", "15m"): None,
                ("DueTasksNotTaken", "15m"): None,
            },
        )
    )
    assert "SUCCESS" in run_promtool("test", "rules", "stopped_worker_test.yml", cwd=tmp_path)


def whole_minutes(seconds):
    return int(seconds // 60 * 60)


def minutes(seconds):
    """Prometheus's humanizeDuration of whole minutes under an hour."""
    assert seconds % 60 == 0 and seconds < 3600
    return f"{seconds // 60}m 0s"


def promtool_test(series, expected):
    """A promtool rule test: ``series`` (name -> values, on one app server) and, per
    (alert, time), the summary it fires with, or None when it must not fire."""
    descriptions = alert_descriptions()
    checks = []
    for (alert, at), summary in expected.items():
        firing = []
        if summary is not None:
            firing = [
                {
                    "exp_labels": {"severity": "critical", "job": "disputes"},
                    "exp_annotations": {"summary": summary, "description": descriptions[alert]},
                }
            ]
        checks.append({"eval_time": at, "alertname": alert, "exp_alerts": firing})
    return yaml.safe_dump(
        {
            "rule_files": [str(ALERTS)],
            "evaluation_interval": "1m",
            "tests": [
                {
                    "interval": "1m",
                    "input_series": [
                        {
                            "series": f'{name}{{instance="app-1:8000", job="disputes"}}',
                            "values": values,
                        }
                        for name, values in series.items()
                    ],
                    "alert_rule_test": checks,
                }
            ],
        }
    )
