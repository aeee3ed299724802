"""Deadlines act by themselves: real ``manage.py db_worker`` processes on PostgreSQL.

Nobody loads a page: a worker started beside the test escalates a dispute whose seller
let the deadline pass, sends the reminder whose time has come and every email (kept as
files, since the worker is another process), and two workers at once escalate each
dispute exactly once.
"""

import email
import email.policy
import os
import signal
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from disputes import tasks
from disputes.models import Dispute, EscalationReason, EventKind, Stage
from tests.accounts.links import email_links_in, link_of
from tests.disputes.builders import (
    answerable_dispute,
    answerable_dispute_at,
    make_seller_account,
)
from tests.factories import make_user
from tests.servers import database_url

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: worker processes share the test database with the test",
    ),
    # The worker reads what the test wrote: the test's writes must be committed.
    pytest.mark.django_db(transaction=True),
]

POLL = 0.1  # seconds between two looks at the database
PATIENCE = 60  # seconds a worker may take before the test gives up
OVERDUE = timedelta(days=5, minutes=1)  # opened this long ago, the seller's 5 days are over


@contextmanager
def worker(log: Path, mail_dir: Path):
    """One ``db_worker`` process on the test database, stopped (SIGTERM) on leaving."""
    environment = os.environ | {
        "DATABASE_URL": database_url(),
        "EMAIL_FILE_PATH": str(mail_dir),
        "SITE_URL": settings.SITE_URL,
    }
    command = [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.2"]
    with log.open("w") as output:
        process = subprocess.Popen(
            [*command, "--no-reload", "--worker-id", log.stem],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until(condition, what, processes=()):
    """Poll ``condition`` until it holds; fail, saying ``what``, after PATIENCE seconds."""
    give_up = time.monotonic() + PATIENCE
    while not condition():
        for process in processes:
            assert process.poll() is None, f"a worker stopped (status {process.returncode})"
        if time.monotonic() > give_up:
            pytest.fail(f"after {PATIENCE} s, still waiting for {what}")
        time.sleep(POLL)


def queue_is_done():
    """No due task waits or runs: what is left is only for later."""
    return not (DBTaskResult.objects.ready().exists() or DBTaskResult.objects.running().exists())


def emails_in(mail_dir: Path):
    """Every email the file backend wrote: (to, subject, body)."""
    separator = b"\n" + b"-" * 79 + b"\n"
    found = []
    for path in sorted(mail_dir.glob("*.log")):
        for chunk in path.read_bytes().split(separator):
            if chunk.strip():
                message = email.message_from_bytes(chunk, policy=email.policy.default)
                subject = " ".join(message["Subject"].split())  # unfolded
                found.append((message["To"], subject, message.get_content()))
    return found


def test_a_worker_escalates_at_the_deadline_and_sends_the_reminders_and_emails(buyer, tmp_path):
    overdue = answerable_dispute_at(buyer, opened=timezone.now() - OVERDUE)
    lyon = make_seller_account("lyon", "Lyon Outlet")
    reminded = answerable_dispute(make_user("bob"), seller=lyon)
    # Three days pass for the second dispute: its reminder's time has come.
    DBTaskResult.objects.filter(task_path=tasks.remind_party.module_path).update(
        run_after=timezone.now()
    )
    mail_dir = tmp_path / "mail"

    with worker(tmp_path / "worker.log", mail_dir) as process:
        wait_until(
            lambda: Dispute.objects.filter(pk=overdue.pk, stage=Stage.WITH_MEDIATOR).exists(),
            "the overdue dispute to be escalated",
            [process],
        )
        wait_until(queue_is_done, "the emails and the reminder to be sent", [process])

    overdue.refresh_from_db()
    assert overdue.escalation_reason == EscalationReason.SELLER_DID_NOT_ANSWER
    (escalated,) = overdue.events.filter(kind=EventKind.ESCALATED)
    assert escalated.actor is None
    reminded.refresh_from_db()
    assert reminded.stage == Stage.WAITING_FOR_SELLER
    assert reminded.reminded_for == reminded.stage_deadline
    assert not DBTaskResult.objects.failed().exists()

    sent = emails_in(mail_dir)
    subjects = {(to, subject) for to, subject, _body in sent}
    szgadget, number = "szgadget@example.com", overdue.order.number
    assert (szgadget, f"Dispute on order {number}: Dispute opened") in subjects
    assert (szgadget, f"Dispute on order {number}: Escalated to the mediators") in subjects
    assert ("alice@example.com", f"Dispute on order {number}: Escalated to the mediators") in (
        subjects
    )
    (reminder,) = [(to, body) for to, subject, body in sent if subject.startswith("Reminder:")]
    assert reminder[0] == "lyon@example.com"
    (token,) = email_links_in(reminder[1])
    assert link_of(token).next_path == f"/seller/disputes/{reminded.pk}/"
    # Each opening tells its seller and acknowledges its buyer; the escalation tells both
    # parties; one reminder: nothing twice.
    assert len(sent) == 7


def test_two_workers_at_once_escalate_each_dispute_exactly_once(buyer, tmp_path):
    logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    with ExitStack() as stack:
        processes = [stack.enter_context(worker(log, tmp_path / "mail")) for log in logs]
        wait_until(
            lambda: all("Starting worker" in log.read_text() for log in logs),
            "both workers to start",
            processes,
        )
        # Both workers are polling: ten overdue disputes appear at once, each with its
        # deadline task queued three times, and two sweeps, so the workers collide.
        with transaction.atomic():
            disputes = [
                answerable_dispute_at(make_user(f"buyer{index}"), opened=timezone.now() - OVERDUE)
                for index in range(10)
            ]
            for dispute in disputes:
                for _ in range(2):
                    tasks.act_on_deadline.enqueue(dispute.pk)
            for _ in range(2):
                tasks.sweep_deadlines.enqueue()
        wait_until(queue_is_done, "every task to run", processes)

    for dispute in disputes:
        assert dispute.events.filter(kind=EventKind.ESCALATED).count() == 1
        dispute.refresh_from_db()
        assert dispute.escalation_reason == EscalationReason.SELLER_DID_NOT_ANSWER
    moved = DBTaskResult.objects.filter(task_path=tasks.act_on_deadline.module_path)
    assert moved.count() == 30
    assert not DBTaskResult.objects.failed().exists()
    swept = DBTaskResult.objects.filter(task_path=tasks.sweep_deadlines.module_path)
    escalations = sum(result.return_value for result in moved) + sum(
        result.return_value for result in swept
    )
    assert escalations == 10
    workers = {
        worker_id for result in DBTaskResult.objects.all() for worker_id in result.worker_ids
    }
    assert workers == {"worker-1", "worker-2"}  # both took part
