"""A task whose worker died in the middle of it is queued again by ``act_on_deadlines``.

django-tasks-db leaves such a task RUNNING for ever; the cluster test kills a real worker
(tests/cluster), these check the lease.
"""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from disputes import tasks
from tests.conftest import run_tasks

pytestmark = pytest.mark.django_db


def claimed(worker_id, *, ago):
    """A queued sweep that ``worker_id`` took ``ago`` and has not finished."""
    result = DBTaskResult.objects.get(pk=tasks.sweep_deadlines.enqueue().id)
    result.claim(worker_id)
    DBTaskResult.objects.filter(pk=result.pk).update(started_at=timezone.now() - ago)
    return result


def test_a_task_running_longer_than_the_lease_is_queued_again_and_run_by_another_worker(
    settings,
):
    settings.TASK_LEASE_SECONDS = 600
    lost = claimed("dead-worker", ago=timedelta(seconds=601))
    running = claimed("busy-worker", ago=timedelta(seconds=590))
    output = io.StringIO()

    call_command("act_on_deadlines", stdout=output)

    assert "Tasks left by a stopped worker and queued again: 1." in output.getvalue()
    lost.refresh_from_db()
    running.refresh_from_db()
    assert lost.status == TaskResultStatus.READY
    assert running.status == TaskResultStatus.RUNNING
    assert run_tasks() == 1
    lost.refresh_from_db()
    assert lost.status == TaskResultStatus.SUCCESSFUL
    assert lost.worker_ids == ["dead-worker", "tests"]


def test_nothing_stalled_says_nothing_about_tasks():
    output = io.StringIO()

    call_command("act_on_deadlines", stdout=output)

    assert output.getvalue() == "0 overdue disputes moved on.\n"
