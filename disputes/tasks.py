"""Background work, run by ``manage.py db_worker`` (django.tasks, the database as queue).

Deadlines act by themselves: a stage with a party's deadline queues ``act_on_deadline``
for that instant and ``remind_party`` some hours before it. Every task is safe to run
late, twice, or after the party acted, because the action it calls reads the dispute
again under a lock. ``sweep_deadlines`` (also the ``act_on_deadlines`` command, for cron)
catches whatever a stopped worker missed, and ``requeue_stalled_tasks`` gives the next
worker a task whose worker died in the middle of it. Emails are sent here, never in a request, and
a failed send is tried again later with a growing delay.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import TaskResultStatus, task
from django.utils import timezone

from . import deadlines, notifications

logger = logging.getLogger(__name__)

EMAIL_ATTEMPTS = 8
EMAIL_FIRST_RETRY = timedelta(minutes=1)


def schedule_deadline(dispute_id: int, deadline: datetime) -> None:
    """Queue what must happen at ``deadline``, and the reminder before it if still to come."""
    act_on_deadline.using(run_after=deadline).enqueue(dispute_id)
    reminder = deadlines.reminder_at(deadline)
    if reminder > timezone.now():
        remind_party.using(run_after=reminder).enqueue(dispute_id, deadline.isoformat())


def requeue_stalled_tasks(*, now=None) -> int:
    """Queue again every task a worker took more than TASK_LEASE_SECONDS ago and never
    finished; how many.

    django-tasks-db marks a task RUNNING when a worker claims it, and nothing changes that
    if the worker dies (killed, out of memory, its machine gone): the task would never run.
    Its work is undone with it, each task writing in one transaction, and running a task
    twice is safe; the lease is far longer than any task takes.
    """
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    stalled_since = now - timedelta(seconds=settings.TASK_LEASE_SECONDS)
    stalled = DBTaskResult.objects.running().filter(started_at__lt=stalled_since)
    return stalled.update(status=TaskResultStatus.READY)


@task
def act_on_deadline(dispute_id: int) -> bool:
    """Move the dispute on if its party's deadline has passed; whether it moved."""
    from . import actions  # actions queue these tasks: imported when one runs

    return actions.act_on_deadline(dispute_id=dispute_id) is not None


@task
def sweep_deadlines() -> int:
    """Act on every open dispute whose deadline has passed; how many moved."""
    from . import actions
    from .models import Dispute

    overdue = Dispute.objects.overdue(timezone.now()).values_list("pk", flat=True)
    return sum(actions.act_on_deadline(dispute_id=pk) is not None for pk in list(overdue))


@task
def remind_party(dispute_id: int, deadline: str) -> bool:
    """Remind the party whose ``deadline`` comes, once, if they have not acted yet."""
    from .models import Dispute

    due = datetime.fromisoformat(deadline)
    with transaction.atomic():
        # Only the dispute's row is locked: PostgreSQL cannot lock the nullable side of the
        # outer join to a seller's account.
        dispute = (
            Dispute.objects.select_for_update(of=("self",))
            .select_related("order__buyer", "order__seller__user")
            .filter(pk=dispute_id, stage_deadline=due)
            .exclude(reminded_for=due)
            .first()
        )
        if dispute is None or not dispute.is_open:
            return False
        dispute.reminded_for = dispute.stage_deadline
        dispute.save(update_fields=["reminded_for"])
        email = notifications.reminder_email(dispute)
        if email is not None:
            deliver_email.enqueue(**email.as_kwargs())
    return email is not None


@task
def send_event_emails(event_id: int) -> int:
    """Queue the emails an event causes, one task each so each is retried on its own."""
    from .models import DisputeEvent

    event = DisputeEvent.objects.select_related(
        "dispute__order__buyer", "dispute__order__seller__user"
    ).get(pk=event_id)
    emails = notifications.event_emails(event)
    for email in emails:
        deliver_email.enqueue(**email.as_kwargs())
    return len(emails)


@task
def deliver_email(to: str, subject: str, body: str, attempt: int = 1) -> None:
    """Send one email; if the mail server fails, try again later, up to EMAIL_ATTEMPTS."""
    try:
        send_mail(subject, body, None, [to])
    except Exception:
        if attempt < EMAIL_ATTEMPTS:
            delay = EMAIL_FIRST_RETRY * 2 ** (attempt - 1)
            deliver_email.using(run_after=timezone.now() + delay).enqueue(
                to=to, subject=subject, body=body, attempt=attempt + 1
            )
        logger.exception("Email to %s failed (attempt %s of %s)", to, attempt, EMAIL_ATTEMPTS)
        raise
