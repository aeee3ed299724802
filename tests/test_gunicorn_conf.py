"""gunicorn.conf.py: the production server gives an upload time to be received and inspected,
and its workers set aside what they loaded."""

import argparse
import importlib.util
import re
import runpy
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from disputes.evidence import sandbox
from disputes.evidence.inspect import EvidenceLimits

BASE_DIR = Path(settings.BASE_DIR)
CONFIG = BASE_DIR / "gunicorn.conf.py"
# Receiving a 100 MB video from the buffering proxy, hashing it and storing its remuxed
# copy and derivatives, with a wide margin for a busy disk.
UPLOAD_ALLOWANCE_SECONDS = 60


def load_bench_run():
    spec = importlib.util.spec_from_file_location("bench_run", BASE_DIR / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_timeout_exceeds_an_upload_and_the_sandbox_limit():
    config = runpy.run_path(str(CONFIG))

    assert config["worker_class"] == "sync"
    assert config["timeout"] > sandbox.TIMEOUT_SECONDS + UPLOAD_ALLOWANCE_SECONDS
    assert config["graceful_timeout"] >= config["timeout"]
    assert EvidenceLimits.from_settings().probe_timeout_seconds == sandbox.TIMEOUT_SECONDS
    # The sandbox's CPU cap ends a runaway decoder before its wall-clock limit does.
    assert sandbox.CPU_SECONDS < sandbox.TIMEOUT_SECONDS


def test_bind_and_workers_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("GUNICORN_BIND", "0.0.0.0:9000")
    monkeypatch.setenv("GUNICORN_WORKERS", "3")

    config = runpy.run_path(str(CONFIG))

    assert (config["bind"], config["workers"]) == ("0.0.0.0:9000", 3)


def test_gunicorn_accepts_the_config():
    checked = subprocess.run(
        [str(Path(sys.executable).parent / "gunicorn"), "--config", str(CONFIG), "--print-config"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert checked.returncode == 0, checked.stderr
    assert re.search(r"^timeout\s+= 120$", checked.stdout, re.MULTILINE)


def test_a_worker_sets_aside_what_it_loaded_with_the_views():
    # In a process of its own: freezing is for the rest of a process's life.
    script = (
        "import gc, runpy, sys, django; django.setup();"
        f"runpy.run_path({str(CONFIG)!r})['post_worker_init'](None);"
        "print(gc.get_freeze_count(), 'disputes.views' in sys.modules, len(gc.get_objects()))"
    )
    frozen = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    set_aside, views_loaded, collected = frozen.stdout.split()
    assert views_loaded == "True"
    assert int(set_aside) > 10 * int(collected)


def test_make_bench_and_the_readme_run_gunicorn_with_the_config():
    bench = load_bench_run()
    arguments = argparse.Namespace(workers=4, worker_class="sync")

    command = bench.gunicorn_command(arguments, 8123)

    assert command[command.index("--config") + 1] == str(CONFIG)
    assert "gunicorn --config gunicorn.conf.py" in (BASE_DIR / "README.md").read_text()
