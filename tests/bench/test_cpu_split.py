"""The benchmark's split of the machine's CPU between the app, PostgreSQL, Redis and wrk."""

import os
import subprocess
import sys
import time

import pytest
from django.db import connection

from bench import cpu_split

pytestmark = pytest.mark.skipif(not cpu_split.PROC.is_dir(), reason="reads Linux's /proc")

# A child that burns 0.3 s of its own CPU when told to, says when it is done, then waits:
# the tests wait for its word rather than for a time, so a busy machine only slows them.
WORKER = """import sys, time
print("ready", flush=True)
sys.stdin.readline()
end = time.process_time() + 0.3
while time.process_time() < end:
    pass
print("done", flush=True)
sys.stdin.readline()
"""


class Worker:
    def __init__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-c", WORKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout.readline() == "ready\n"

    def work(self):
        self.process.stdin.write("go\n")
        self.process.stdin.flush()
        assert self.process.stdout.readline() == "done\n"

    def end(self):
        self.process.kill()
        self.process.wait()


def split_while(action, app_pid, requests=1):
    before, started = cpu_split.snapshot(app_pid), time.monotonic()
    action()
    return cpu_split.per_request(
        before, cpu_split.snapshot(app_pid), requests, time.monotonic() - started
    )


def test_the_app_is_the_given_process_and_its_children():
    # A child that works between the two readings, as gunicorn's workers do. What other
    # processes of the machine spend is theirs: nothing here depends on it.
    worker = Worker()
    try:
        split = split_while(worker.work, app_pid=os.getpid())
    finally:
        worker.end()
    assert split["app_ms"] >= 250  # /proc counts in ticks of 10 ms
    assert 0 < split["busy"] <= 1.1


def test_a_reaped_child_such_as_wrk_counts_as_wrk():
    # wrk ends within the run: /proc no longer lists it, its reaped time is read instead.
    app = Worker()  # waits, working for nothing
    busy = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass"
    try:
        split = split_while(
            lambda: subprocess.run([sys.executable, "-c", busy], check=True),
            app_pid=app.process.pid,
        )
    finally:
        app.end()
    assert split["wrk_ms"] >= 250
    assert split["app_ms"] < 50


def test_a_process_that_ends_between_the_readings_takes_nothing_away():
    # Its time before the first reading must not be subtracted from what its group spent.
    finished, working = Worker(), Worker()
    finished.work()

    def finished_ends_while_working_works():
        finished.end()
        working.work()

    try:
        split = split_while(finished_ends_while_working_works, app_pid=os.getpid())
    finally:
        finished.end()
        working.end()
    assert split["app_ms"] >= 250


def test_no_split_without_requests_or_readings():
    reading = cpu_split.snapshot(app_pid=os.getpid())
    assert cpu_split.per_request(reading, reading, 0, 1.0) is None
    assert cpu_split.per_request(None, reading, 10, 1.0) is None


@pytest.mark.django_db
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: reads its server process's CPU"
)
@pytest.mark.skipif(
    not (cpu_split.PROC / "self" / "schedstat").exists(),
    reason="this kernel keeps no scheduler statistics (/proc/<pid>/schedstat)",
)
def test_the_servers_cpu_for_a_connection_counts_its_queries():
    before = cpu_split.server_cpu(connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM generate_series(1, 2000000)")
    after = cpu_split.server_cpu(connection)
    assert after[0] == before[0]
    # Counting two million rows takes PostgreSQL tens of milliseconds of CPU on any machine.
    assert cpu_split.server_ms_per_request(before, after, requests=1) > 5


def test_the_servers_cpu_per_request_needs_one_server_read_twice():
    assert cpu_split.server_ms_per_request((7, 1_000_000), (7, 5_000_000), 2) == 2.0
    assert cpu_split.server_ms_per_request((7, 1_000_000), (8, 5_000_000), 2) is None
    assert cpu_split.server_ms_per_request((7, None), (7, 5_000_000), 2) is None
