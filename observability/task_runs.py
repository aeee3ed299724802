"""Each task run: one log line (task, attempt, outcome, duration, the request id that
queued it), and the request id carried from the request that queues a task to its run.

The id is kept in the task's row, beside its arguments (``args_kwargs["request_id"]``,
which django-tasks-db never reads), as the row is first saved: no query more. While a
task runs its id is the current one, so its log lines, and the tasks it queues in turn (an
email's retry, a webhook's next attempt), carry the id of the request that began it all.
"""

import logging
from typing import Any

from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.tasks import TaskResult
from django.tasks.signals import task_finished, task_started
from django_tasks_db.models import DBTaskResult

from . import request_id

logger = logging.getLogger("observability.tasks")

REQUEST_ID_KEY = "request_id"


@receiver(pre_save, sender=DBTaskResult)
def remember_request_id(sender: type, instance: DBTaskResult[Any, Any], **kwargs: Any) -> None:
    current = request_id.current()
    if instance._state.adding and current is not None:
        instance.args_kwargs[REQUEST_ID_KEY] = current


@receiver(task_started)
def bind_request_id(sender: type, task_result: TaskResult[Any, Any], **kwargs: Any) -> None:
    request_id.bind(_queued_by(task_result))


@receiver(task_finished)
def log_task_run(sender: type, task_result: TaskResult[Any, Any], **kwargs: Any) -> None:
    started, finished = task_result.started_at, task_result.finished_at
    duration_ms = (finished - started).total_seconds() * 1000 if started and finished else None
    outcome = task_result.status.lower()
    logger.info(
        "%s %s (attempt %d)",
        task_result.task.module_path,
        outcome,
        task_result.attempts,
        extra={
            "task": task_result.task.module_path,
            "task_id": str(task_result.id),
            "attempt": task_result.attempts,
            "outcome": outcome,
            "duration_ms": round(duration_ms, 1) if duration_ms is not None else None,
            "request_id": _queued_by(task_result),
        },
    )
    request_id.bind(None)


def _queued_by(task_result: TaskResult[Any, Any]) -> str | None:
    db_result = getattr(task_result, "db_result", None)  # only django-tasks-db's results
    return db_result.args_kwargs.get(REQUEST_ID_KEY) if db_result is not None else None
