"""What a Prometheus scrape of /metrics costs on the benchmark's data, and the plan of each
query it runs (PostgreSQL).

Loads the benchmark's volume (``dataset.FULL``: 100,000 orders, 5,000 disputes) into its
own database (``disputes_bench_metrics``, or ``BENCH_DB``), adds a week of task results as
``prune_db_task_results --min-age-days 7`` leaves them (six finished tasks a dispute, the
deadline tasks still to come, a few failed), then counts the metrics 20 times in this
process. Results go to ``bench/results/metrics_scrape.json``; docs/deploy.md quotes them.

Run: ``.venv/bin/python bench/metrics_bench.py`` (PostgreSQL on 127.0.0.1, as ``make bench``)
"""

import json
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("BENCH_DB", "disputes_bench_metrics")
os.environ.setdefault("BENCH_CACHE_URL", "")  # the scrape reads no cache
sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # reads BENCH_DB as it is imported

RESULTS = run.RESULTS / "metrics_scrape.json"
FINISHED_TASKS_PER_DISPUTE = 6
FAILED_TASKS = 20
SCRAPES = 20


def add_a_week_of_tasks():
    from django.tasks import TaskResultStatus
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult, get_date_max

    from disputes import tasks
    from disputes.models import Dispute

    now = timezone.now()
    open_disputes = list(Dispute.objects.filter(status="open").values_list("pk", "stage_deadline"))
    every_dispute = Dispute.objects.count()

    def result(task, status, run_after, args):
        return DBTaskResult(
            task_path=task.module_path,
            status=status,
            args_kwargs={"args": args, "kwargs": {}},
            backend_name="default",
            run_after=run_after,
            exception_class_path="",
            traceback="",
        )

    finished_tasks = [tasks.send_event_emails, tasks.deliver_email, tasks.act_on_deadline]
    rows = [
        result(finished_tasks[n % 3], TaskResultStatus.SUCCESSFUL, get_date_max(), [n])
        for n in range(every_dispute * FINISHED_TASKS_PER_DISPUTE)
    ]
    rows += [
        result(
            tasks.act_on_deadline, TaskResultStatus.READY, deadline or now + timedelta(days=1), [pk]
        )
        for pk, deadline in open_disputes
    ]
    rows += [
        result(tasks.deliver_email, TaskResultStatus.FAILED, get_date_max(), [n])
        for n in range(FAILED_TASKS)
    ]
    DBTaskResult.objects.bulk_create(rows, batch_size=5_000)
    return len(rows)


def main():
    run.setup_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from observability.collectors import DatabaseCollector

    run.step(f"recreating database {run.BENCH_DB}")
    run.recreate_database()
    try:
        import dataset

        _targets, volume, _seconds = run.prepare(dataset.FULL)
        task_rows = add_a_week_of_tasks()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        run.step(f"added {task_rows} task results")

        timings = []
        for _ in range(SCRAPES):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                list(DatabaseCollector().collect())
                timings.append((time.perf_counter() - started) * 1000)
        plans = []
        with connection.cursor() as cursor:
            for query in queries.captured_queries:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS OFF, TIMING OFF) {query['sql']}")
                plans.append({"sql": query["sql"], "plan": [row[0] for row in cursor.fetchall()]})
        report = {
            "volume": volume,
            "task_results": task_rows,
            "scrapes": SCRAPES,
            "median_ms": round(statistics.median(timings), 1),
            "max_ms": round(max(timings), 1),
            "queries": len(plans),
            "plans": plans,
        }
        RESULTS.write_text(json.dumps(report, indent=2) + "\n")
        run.step(
            f"a scrape: median {report['median_ms']} ms, max {report['max_ms']} ms, "
            f"{report['queries']} queries (plans in {RESULTS.relative_to(run.BASE_DIR)})"
        )
    finally:
        connection.close()
        run.recreate_database(drop_only=True)


if __name__ == "__main__":
    main()
