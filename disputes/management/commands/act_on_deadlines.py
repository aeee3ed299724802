"""Act on every dispute whose party's deadline has passed, and queue again the tasks of
workers that died in the middle of one. Safe to run at any time.

The workers act at each deadline by themselves; schedule this as well (every few minutes,
from cron, on one machine) so that nothing waits longer than that after a worker was
stopped or killed.
"""

from django.core.management.base import BaseCommand

from disputes.tasks import requeue_stalled_tasks, sweep_deadlines


class Command(BaseCommand):
    help = (
        "Escalate or lapse the disputes whose party's deadline has passed; queue again the "
        "tasks left running by a worker that died."
    )

    def handle(self, **options):
        requeued = requeue_stalled_tasks()
        if requeued:
            self.stdout.write(f"Tasks left by a stopped worker and queued again: {requeued}.")
        moved = sweep_deadlines.call()
        self.stdout.write(self.style.SUCCESS(f"{moved} overdue disputes moved on."))
