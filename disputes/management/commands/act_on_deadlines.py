"""Act on every dispute whose party's deadline has passed. Safe to run at any time.

The worker acts at each deadline by itself; schedule this as well (every few minutes, from
cron) so that nothing waits longer than that after the worker was stopped.
"""

from django.core.management.base import BaseCommand

from disputes.tasks import sweep_deadlines


class Command(BaseCommand):
    help = "Escalate or lapse the disputes whose party's deadline has passed."

    def handle(self, **options):
        moved = sweep_deadlines.call()
        self.stdout.write(self.style.SUCCESS(f"{moved} overdue disputes moved on."))
