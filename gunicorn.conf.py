"""gunicorn's settings in production and under ``make bench``: ``gunicorn -c gunicorn.conf.py``.

Sync workers, each serving one request at a time: evidence is inspected inside the upload
request, in a capped child process (``disputes.evidence.sandbox``). A buffering proxy
(nginx, docs/uploads.md) is required in front: it takes a slow upload from a phone and
hands the worker the whole body at local speed, so a worker's time goes to inspecting,
not to waiting for bytes.
"""

import gc
import multiprocessing
import os
import shutil
import tempfile
from pathlib import Path

wsgi_app = "config.wsgi"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "sync"
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count()))

# A request may carry a 100 MB video: receiving it from the proxy, one sandbox run (at most
# 30 s of wall clock, disputes.evidence.sandbox.TIMEOUT_SECONDS) and storing the remuxed
# copy all fit well within this. gunicorn's 30 s default killed legitimate uploads.
timeout = 120
# On a restart or deploy, a worker finishing an upload gets the same time to end it.
graceful_timeout = 120

# Metrics (observability/metrics.py): each worker writes its request counts to files in
# PROMETHEUS_MULTIPROC_DIR, and whichever worker answers /metrics adds up all of them. The
# folder is named before any worker starts (prometheus-client reads it when imported): the
# operator's, or one of this server's own, removed when it stops.
own_metrics_dirs = []


def on_starting(server):
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="disputes-metrics-")
        own_metrics_dirs.append(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    # Counts start from zero with the server, as Prometheus expects of a restarted target.
    for stale in Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).glob("*.db"):
        stale.unlink()


def post_worker_init(worker):
    """Set aside what the worker has loaded (Django, the apps, every view through the URLs),
    which lives as long as the worker: the collector's full passes no longer walk it. A full
    pass took 45-50 ms, 2 ms after this; the slowest of 38 bulk imports of 1,000 orders took
    450 ms before, 213-270 ms after (docs/benchmark.md)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports the URLs' modules, not yet imported)
    gc.freeze()


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    for folder in own_metrics_dirs:
        shutil.rmtree(folder, ignore_errors=True)
