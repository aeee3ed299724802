"""`make run` serves the site and runs one worker beside it, and with SSO=1 the demo's
OpenID provider too; Ctrl-C stops them all."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

SCRIPT = Path(settings.BASE_DIR) / "scripts" / "run-dev.sh"
PATIENCE = 120  # seconds to start or stop: generous, for a machine busy with other work


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def session_processes(session_id):
    """The processes still alive in the script's session: the script and all it started."""
    listing = subprocess.run(
        ["ps", "-eo", "sid=,pid=,stat="], capture_output=True, text=True, check=True
    ).stdout
    rows = (line.split() for line in listing.splitlines())
    return [pid for sid, pid, stat in rows if int(sid) == session_id and not stat.startswith("Z")]


def serving(url):
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def wait_until(condition, what):
    give_up = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > give_up:
            pytest.fail(f"after {PATIENCE} s, still waiting for {what}")
        time.sleep(0.2)


@pytest.fixture
def environment(tmp_path):
    """A migrated SQLite database of the test's own, and a free port."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "ADDRESS": f"127.0.0.1:{free_port()}",
        "PYTHON": sys.executable,
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        timeout=PATIENCE,
    )
    return env


@pytest.mark.parametrize("with_provider", [False, True], ids=["plain", "sso"])
def test_ctrl_c_stops_the_server_and_the_worker(environment, tmp_path, with_provider):
    urls = [f"http://{environment['ADDRESS']}/healthz"]
    if with_provider:
        port = free_port()
        environment["DEMO_PROVIDER_PORT"] = str(port)
        urls.append(f"http://127.0.0.1:{port}/.well-known/openid-configuration")
    log = tmp_path / "run.log"
    with log.open("w") as output:
        # A session of its own stands for the terminal: Ctrl-C signals its foreground group.
        script = subprocess.Popen(
            [str(SCRIPT)],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        for url in urls:
            wait_until(lambda url=url: serving(url), f"{url} to answer")
        wait_until(lambda: "Starting worker" in log.read_text(), "the worker to start")

        os.killpg(script.pid, signal.SIGINT)
        script.wait(timeout=PATIENCE)
        wait_until(lambda: not session_processes(script.pid), "every process to stop")
        assert not any(serving(url) for url in urls)
    finally:
        for pid in session_processes(script.pid):
            os.kill(int(pid), signal.SIGKILL)
