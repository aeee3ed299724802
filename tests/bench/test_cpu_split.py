"""The benchmark's split of the machine's CPU between the app, PostgreSQL, Redis and wrk."""

import os
import subprocess
import sys
import time

import pytest

from bench import cpu_split

pytestmark = pytest.mark.skipif(not cpu_split.PROC.is_dir(), reason="reads Linux's /proc")

BUSY = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass"


def test_the_app_is_the_given_process_and_its_children():
    before, started = cpu_split.snapshot(app_pid=os.getpid()), time.monotonic()
    exec(BUSY)  # this process, as the app
    split = cpu_split.per_request(
        before, cpu_split.snapshot(app_pid=os.getpid()), 3, time.monotonic() - started
    )
    assert split["app_ms"] >= 0.25 * 1000 / 3  # /proc counts in ticks of 10 ms
    assert 0 < split["busy"] <= 1.1


def test_a_reaped_child_such_as_wrk_counts_as_wrk():
    # wrk ends within the run: /proc no longer lists it, its reaped time is read instead.
    app = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        before, started = cpu_split.snapshot(app_pid=app.pid), time.monotonic()
        subprocess.run([sys.executable, "-c", BUSY], check=True)
        split = cpu_split.per_request(
            before, cpu_split.snapshot(app_pid=app.pid), 1, time.monotonic() - started
        )
    finally:
        app.kill()
        app.wait()
    assert split["wrk_ms"] >= 250
    assert split["app_ms"] < 50


def test_no_split_without_requests_or_readings():
    reading = cpu_split.snapshot(app_pid=os.getpid())
    assert cpu_split.per_request(reading, reading, 0, 1.0) is None
    assert cpu_split.per_request(None, reading, 10, 1.0) is None
