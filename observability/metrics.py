"""The metrics /metrics serves, in Prometheus's text format (prometheus-client).

Requests are counted as they are served, in each process. Under gunicorn every worker
writes its counts to files in ``PROMETHEUS_MULTIPROC_DIR`` (gunicorn.conf.py sets it) and
the worker that answers a scrape adds up all of them: a server's numbers do not depend on
which of its workers Prometheus reached. Elsewhere (runserver, the tests) the process's own
registry is read.

What the database knows (tasks, disputes, webhooks, refunds) is counted when Prometheus
asks, by ``collectors``, once per scrape in the process that answers it: never summed
across workers, never computed on a request.
"""

import os

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.registry import Collector

# A counter's creation time is one series more for each of its label sets, which neither
# the alerts nor the dashboards read (multiprocess mode never has it).
disable_created_metrics()

REQUESTS = Counter(
    "django_http_requests",
    "Requests answered, by view, method and status.",
    ["view", "method", "status"],
)
REQUEST_SECONDS = Histogram(
    "django_http_request_duration_seconds",
    "Time from the request reaching Django to its answer leaving, by view and method.",
    ["view", "method"],
    # Pages answer in tens of milliseconds; an upload with its inspection takes up to a minute.
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)


def exposition(*scrape_time: Collector) -> bytes:
    """This server's request metrics, then what ``scrape_time`` collectors count now."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        served = CollectorRegistry()
        multiprocess.MultiProcessCollector(served)
    else:
        served = REGISTRY
    now = CollectorRegistry()
    for collector in scrape_time:
        now.register(collector)
    return generate_latest(served) + generate_latest(now)
