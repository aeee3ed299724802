"""Load-test the real pages, served the production way, against the app's floor and a peer.

Creates a dedicated PostgreSQL database (``disputes_bench``, or ``BENCH_DB``), loads a
realistic volume,
starts the app under gunicorn with production settings on 127.0.0.1, drives every page
with wrk at a fixed concurrency and writes ``bench/results/latest.json``. See
docs/benchmark.md. Usage: ``make bench`` or ``.venv/bin/python bench/run.py [--quick]``.
"""

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results"
HOST = "127.0.0.1"  # the benchmark never targets anything else
PG_SERVER = os.environ.get("BENCH_PG_SERVER", f"postgres://postgres@{HOST}:5432")
# Two benchmarks on one PostgreSQL server each name their own: BENCH_DB=disputes_bench_mine.
BENCH_DB = os.environ.get("BENCH_DB", "disputes_bench")
# As production runs: one Redis cache for every worker (sessions, fragments). Empty: each
# worker keeps its own local-memory cache (and sessions are read from the database).
CACHE_URL = os.environ.get("BENCH_CACHE_URL", f"redis://{HOST}:6379/15")
PROTECTED_DBS = {"disputes", "postgres", "template0", "template1"}
SECRET_KEY = secrets.token_urlsafe(50)

# Gunicorn as the README runs it (docs/benchmark.md): the app is CPU-bound (templates,
# ORM), so processes, not threads, give parallelism. Sync workers, two per core, measured
# the tightest tails here: gthread workers share one GIL per process, and a request that
# waits behind a thread of its own worker waits for the whole render.
DEFAULT_WORKERS = 2 * (os.cpu_count() or 1)
DEFAULT_WORKER_CLASS = "sync"
DEFAULT_WORKER_THREADS = 4


def fail(message):
    print(f"bench: error: {message}", file=sys.stderr)
    sys.exit(2)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small data, short runs (smoke)")
    parser.add_argument("--duration", type=int, help="seconds per page (default 10, quick 3)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS, help="gunicorn workers")
    parser.add_argument("--worker-class", default=DEFAULT_WORKER_CLASS, choices=["sync", "gthread"])
    parser.add_argument(
        "--worker-threads", type=int, default=DEFAULT_WORKER_THREADS, help="per gthread worker"
    )
    parser.add_argument("--output", type=Path, default=RESULTS / "latest.json")
    parser.add_argument("--keep-db", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--existing-db",
        action="store_true",
        help="measure BENCH_DB as it is, loaded before (a copy of a 100x database): migrated, "
        "not loaded, not dropped",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="WORDS",
        help="only the pages whose name contains WORDS (repeatable; the floor and both peers "
        "are always measured); skips the bulk upsert, and the one-client feed reader unless "
        "the events feed is among them",
    )
    parser.add_argument("--label", default="", help="a note stored with the results")
    parser.add_argument(
        "--scale",
        type=int,
        default=1,
        help="the data set times this (make bench SCALE=100: 10 million orders); 1 by default",
    )
    args = parser.parse_args()
    args.duration = args.duration or (3 if args.quick else 10)
    if not 1 <= args.duration <= 120:
        parser.error("--duration must be between 1 and 120 seconds")
    if args.scale < 1:
        parser.error("--scale must be 1 or more")
    if args.existing_db and args.scale != 1:
        parser.error("--scale loads data; --existing-db measures the data already there")
    return args


def preflight():
    """Fail loudly, before doing anything, when wrk or PostgreSQL is missing."""
    if urlsplit(PG_SERVER).hostname not in {HOST, "localhost"}:
        fail(f"BENCH_PG_SERVER must be on {HOST}, not {PG_SERVER}: the bench drops databases.")
    if shutil.which("wrk") is None:
        fail("wrk is not installed: `sudo apt-get install wrk` (or `make system-deps`).")
    try:
        import psycopg
    except ImportError:
        fail("psycopg is not installed: run `make bench` (it installs requirements) first.")
    try:
        psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=3).close()
    except psycopg.OperationalError as error:
        fail(
            f"PostgreSQL is not reachable at {PG_SERVER} ({error}). Start it, e.g. "
            "`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, "
            "or point BENCH_PG_SERVER at a server (postgres://user@127.0.0.1:5432)."
        )
    if CACHE_URL:
        import redis

        try:
            redis.Redis.from_url(CACHE_URL, socket_connect_timeout=3).ping()
        except redis.RedisError as error:
            fail(
                f"Redis is not reachable at {CACHE_URL} ({error}). Start it (`redis-server "
                "--daemonize yes`), point BENCH_CACHE_URL at one, or set BENCH_CACHE_URL= "
                "(empty) to run with a local-memory cache per worker."
            )


def recreate_database(drop_only=False):
    import psycopg

    if BENCH_DB in PROTECTED_DBS or not BENCH_DB.startswith("disputes_bench"):
        fail(f"BENCH_DB must start with disputes_bench (it is dropped), not {BENCH_DB!r}")
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


def production_env():
    return {
        **os.environ,
        # The environment's settings plus the peer page (bench/settings.py).
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": f"{PG_SERVER}/{BENCH_DB}",
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_DEBUG": "false",
        "CACHE_URL": CACHE_URL,
        # wrk drives the events feed far past any real client's rate: no 429s here.
        "API_RATE_LIMIT": "100000000/minute",
        "API_BULK_RATE_LIMIT": "100000000/minute",
    }


def setup_django():
    os.environ.update(production_env())
    sys.path.insert(0, str(BASE_DIR))
    os.chdir(BASE_DIR)
    import django

    django.setup()


def step(message):
    print(f"bench: {message}", flush=True)


def migrate():
    from django.core.management import call_command

    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    step(f"migrated and collected static files in {time.monotonic() - started:.1f} s")


def prepare(size, scale):
    import dataset
    import scale as scaled
    from django.db import connection

    migrate()
    started = time.monotonic()
    targets = dataset.load(size)
    if scale > 1:
        step(f"the data set times {scale}: PostgreSQL writes the rest")
        scaled.grow(
            size,
            factor=scale,
            mediator_id=targets.mediator_id,
            answering_seller_id=targets.seller_id,
            step=step,
        )
    with connection.cursor() as cursor:
        # What autovacuum would have done by now: planner statistics and visibility maps.
        cursor.execute("VACUUM ANALYZE")
    seconds = time.monotonic() - started
    volume = dataset.counts()
    rows = sum(volume.values())
    step(f"loaded {volume} in {seconds:.1f} s: {rows / seconds:,.0f} rows/s, VACUUM ANALYZE in it")
    return targets, volume, seconds


def session_cookie(user_id):
    """A logged-in session made by the session engine, exactly as login() would store it."""
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils.module_loading import import_string
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_user_model().objects.get(pk=user_id)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    # The backend login() would record: the first that loads users (axes' backend, listed
    # first, only guards the login form and has no get_user).
    session[BACKEND_SESSION_KEY] = next(
        path
        for path in settings.AUTHENTICATION_BACKENDS
        if hasattr(import_string(path), "get_user")
    )
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    # A staff account signs in to the admin with its second factor, verified as
    # django-otp's login records it.
    if device := TOTPDevice.objects.filter(user=user, confirmed=True).first():
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def browser_cookies(user_id):
    """The cookies a returning browser sends: its session, and the CSRF cookie the first
    page set (without it, every request would make a new secret and set the cookie
    again, which a browser pays once)."""
    from django.conf import settings
    from django.utils.crypto import get_random_string

    return f"{session_cookie(user_id)}; {settings.CSRF_COOKIE_NAME}={get_random_string(32)}"


FLOOR = "healthz (floor)"
PEER = "bare Django page (peer)"
# The cheapest logged-in page: the same middleware, the session, the user, 20 of their orders.
LOGGED_IN_PEER = "logged-in peer"
ANCHORS = (FLOOR, PEER, LOGGED_IN_PEER)
QUEUE = "/admin/disputes/dispute/"
# Also read by one client, page after page (``api_bench.read_feed``).
EVENTS_FEED = "API events feed"


def pages(targets):
    """(name, path, who) for every page; who is None (anonymous), "buyer", "seller",
    "mediator" or "api" (the marketplace's token)."""
    import dataset

    return [
        (FLOOR, "/healthz", None),
        (PEER, "/bench/peer/", None),
        (LOGGED_IN_PEER, "/bench/logged-in-peer/", "buyer"),
        ("my account", "/", "buyer"),
        ("orders list", "/orders/", "buyer"),
        ("orders list, page 50", "/orders/?page=50", "buyer"),
        ("order page", f"/orders/{targets.order_number}/", "buyer"),
        ("dispute page", f"/disputes/{targets.dispute_id}/", "buyer"),
        ("seller's disputes", "/seller/disputes/", "seller"),
        ("admin dispute queue", QUEUE, "mediator"),
        ("queue: overdue", f"{QUEUE}?overdue=yes", "mediator"),
        ("queue: unassigned", f"{QUEUE}?assigned=nobody", "mediator"),
        ("queue: decided, rejected", f"{QUEUE}?status=decided&outcome=rejected", "mediator"),
        ("queue: an order number", f"{QUEUE}?q={targets.order_number}", "mediator"),
        ("queue: a buyer", f"{QUEUE}?q={dataset.HEAVY_BUYER}&status=all", "mediator"),
        ("queue: a seller", f"{QUEUE}?q={dataset.SELLER}&status=all", "mediator"),
        ("admin statistics", "/admin/disputes/dispute/statistics/", "mediator"),
        (EVENTS_FEED, "/api/v1/events/?limit=100", "api"),
    ]


def measure_in_process(page_list, credentials, repeats):
    """SQL queries and time per request, one request at a time, through Django's test client.

    Same database and settings as the server. ``cpu_ms`` is the median CPU time of this
    process (PostgreSQL's work is not in it); ``wall_ms`` the median elapsed time, database
    included. Both move far less than wrk's figures when other programs load the machine.
    """
    from django.db import connection
    from django.test import Client

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    measures = {}
    for name, path, who in page_list:
        client = Client(HTTP_HOST=HOST, headers=credentials.get(who, {}))
        client.get(path)  # warm caches (content types, translations) like a running worker
        statements = []
        with connection.execute_wrapper(record):
            response = client.get(path)
        if response.status_code != 200:
            fail(f"{path} answered {response.status_code} to the test client, not 200")
        cpu, wall = [], []
        for _ in range(repeats):
            started, started_wall = time.process_time(), time.perf_counter()
            client.get(path)
            cpu.append(time.process_time() - started)
            wall.append(time.perf_counter() - started_wall)
        measures[name] = {
            "queries": len(statements),
            "sql": statements,
            "cpu_ms": round(statistics.median(cpu) * 1000, 2),
            "wall_ms": round(statistics.median(wall) * 1000, 2),
        }
    return measures


def settings_checks():
    from django.conf import settings
    from django.template import engines

    database = settings.DATABASES["default"]
    loaders = engines["django"].engine.loaders
    return {
        # Templates parsed once per process, not on every render.
        "cached_template_loader": loaders[0][0] == "django.template.loaders.cached.Loader",
        "conn_max_age": database["CONN_MAX_AGE"],
        "conn_health_checks": database["CONN_HEALTH_CHECKS"],
        "staticfiles_storage": settings.STORAGES["staticfiles"]["BACKEND"],
        "whitenoise_middleware": "whitenoise.middleware.WhiteNoiseMiddleware"
        in settings.MIDDLEWARE,
        "debug": settings.DEBUG,
        "cache": settings.CACHES["default"]["BACKEND"],
        "session_engine": settings.SESSION_ENGINE,
    }


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def gunicorn_command(args, port):
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--config",
        str(BASE_DIR / "gunicorn.conf.py"),
        "--workers",
        str(args.workers),
        "--bind",
        f"{HOST}:{port}",
    ]
    if args.worker_class == "gthread":
        command += ["--worker-class", "gthread", "--threads", str(args.worker_threads)]
    return command


def get(port, path, headers=None):
    # A first read of the 100x data runs on a cold cache (seconds on a busy machine).
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def wait_until_up(port, process, log_path):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            fail(f"gunicorn exited with {process.returncode}:\n{Path(log_path).read_text()}")
        try:
            if get(port, "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    fail(f"gunicorn did not answer /healthz within 30 s:\n{Path(log_path).read_text()}")


def check_static(port, buyer_headers):
    """The page links hashed file names, served compressed and cached for ever."""
    html = get(port, "/orders/", buyer_headers)[2].decode()
    match = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', html)
    if not match:
        return {"hashed_name": False}
    status, headers, _body = get(port, match.group(1), {"Accept-Encoding": "br, gzip"})
    return {
        "hashed_name": True,
        "url": match.group(1),
        "status": status,
        "content_encoding": headers.get("Content-Encoding", ""),
        "cache_control": headers.get("Cache-Control", ""),
    }


def run_wrk(args, port, path, headers, duration, app_pid):
    import cpu_split

    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{duration}s",
        "--timeout",
        "5s",
        "--latency",
        "-s",
        str(BENCH_DIR / "report.lua"),
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://{HOST}:{port}{path}")
    cpu_before, started = cpu_split.snapshot(app_pid), time.monotonic()
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + 30, check=False
    )
    cpu_after, elapsed = cpu_split.snapshot(app_pid), time.monotonic() - started
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if done.returncode != 0 or line is None:
        fail(f"wrk failed on {path}:\n{done.stdout}\n{done.stderr}")
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    seconds = raw["duration_us"] / 1_000_000
    return {
        "requests": raw["requests"],
        "rps": round(raw["requests"] / seconds, 1),
        "p50_ms": raw["p50"] / 1000,
        "p90_ms": raw["p90"] / 1000,
        "p95_ms": raw["p95"] / 1000,
        "p99_ms": raw["p99"] / 1000,
        "max_ms": raw["max"] / 1000,
        "errors": raw["non2xx"] + raw["connect"] + raw["read"] + raw["write"] + raw["timeout"],
        "error_detail": {
            key: raw[key] for key in ("non2xx", "connect", "read", "write", "timeout")
        },
        "cpu_per_request": cpu_split.per_request(cpu_before, cpu_after, raw["requests"], elapsed),
    }


def bench_pages(args, page_list, credentials, then=None):
    """wrk on every page under gunicorn; ``then(port)`` runs while the server is still up."""
    port = free_port()
    command = gunicorn_command(args, port)
    step(f"starting {' '.join(command[1:])}")
    with tempfile.NamedTemporaryFile("w+", prefix="bench-gunicorn-", suffix=".log") as log:
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=production_env(), stdout=log, stderr=subprocess.STDOUT
        )
        try:
            wait_until_up(port, process, log.name)
            static = check_static(port, credentials["buyer"])
            results = {}
            for name, path, who in page_list:
                headers = credentials.get(who, {})
                status = get(port, path, headers)[0]
                if status != 200:
                    fail(f"{path} answered {status} under gunicorn, not 200")
                # Warm every worker and thread first.
                run_wrk(args, port, path, headers, duration=2, app_pid=process.pid)
                row = run_wrk(args, port, path, headers, args.duration, app_pid=process.pid)
                results[name] = {"path": path, **row}
                step(f"{name:<24} {row['rps']:>8.1f} req/s  p99 {row['p99_ms']:.1f} ms")
            extra = then(port) if then else None
            return results, static, " ".join(command[1:]), extra
        finally:
            # Whatever happened above, gunicorn does not outlive the benchmark.
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def table(results):
    header = (
        f"{'page':<24} {'req/s':>8} {'x floor':>8} {'x peer':>7} {'x li peer':>9} "
        f"{'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'errors':>7} {'queries':>8} {'cpu ms':>7} {'1-req ms':>8}"
    )
    lines = [header, "-" * len(header)]
    for name, row in results.items():
        lines.append(
            f"{name[:24]:<24} {row['rps']:>8.1f} {row['floor_ratio']:>8.2f} "
            f"{row['peer_ratio']:>7.2f} {row['logged_in_peer_ratio']:>9.2f} {row['p50_ms']:>8.2f} "
            f"{row['p95_ms']:>8.2f} {row['p99_ms']:>8.2f} {row['errors']:>7} "
            f"{row['queries']:>8} {row['cpu_ms']:>7.2f} {row['wall_ms']:>8.2f}"
        )
    return "\n".join(lines)


def cpu_table(results):
    """Where the cores went under each page's load: CPU ms per request, by program."""
    import cpu_split

    header = f"{'CPU ms per request':<24} " + " ".join(
        f"{group:>8}" for group in (*cpu_split.GROUPS, "busy")
    )
    lines = [header, "-" * len(header)]
    for name, row in results.items():
        split = row["cpu_per_request"]
        if split is None:
            continue
        cells = " ".join(f"{split[f'{group}_ms']:>8.2f}" for group in cpu_split.GROUPS)
        lines.append(f"{name[:24]:<24} {cells} {split['busy']:>8.0%}")
    return "\n".join(lines)


def main():
    args = parse_args()
    preflight()
    start_load = os.getloadavg()
    setup_django()
    import api_bench
    import dataset

    size = dataset.QUICK if args.quick else dataset.FULL
    if args.existing_db:
        step(f"measuring database {BENCH_DB} as it is")
    else:
        step(f"recreating database {BENCH_DB}")
        recreate_database()
    try:
        if args.existing_db:
            migrate()
            targets, volume, load_seconds = dataset.targets(), dataset.counts(), 0
        else:
            targets, volume, load_seconds = prepare(size, args.scale)
        credentials = {
            "buyer": {"Cookie": browser_cookies(targets.buyer_id)},
            "seller": {"Cookie": browser_cookies(targets.seller_user_id)},
            "mediator": {"Cookie": browser_cookies(targets.mediator_id)},
            "api": {"Authorization": f"Bearer {api_bench.make_client()}"},
        }
        page_list = [
            page
            for page in pages(targets)
            if not args.only or page[0] in ANCHORS or any(w in page[0] for w in args.only)
        ]
        measures = measure_in_process(page_list, credentials, repeats=20 if args.quick else 50)
        checks = settings_checks()
        from django.db import connections

        connections.close_all()

        def api_calls(port):
            token = credentials["api"]["Authorization"].removeprefix("Bearer ")
            reader = upsert = None
            if any(name == EVENTS_FEED for name, _path, _who in page_list):
                step("events feed: one client reading it from the start and from the middle")
                reader = api_bench.feed_reader(HOST, port, token)
            if not args.only:
                step("bulk order upsert: import_orders and the API on the same batches")
                upsert = api_bench.bulk_upsert(HOST, port, token, batches=2 if args.quick else 5)
            return reader, upsert

        results, static, server, (reader, upsert) = bench_pages(
            args, page_list, credentials, api_calls
        )
    finally:
        if not (args.keep_db or args.existing_db):
            from django.db import connections

            connections.close_all()
            recreate_database(drop_only=True)

    floor, peer = results[FLOOR]["rps"], results[PEER]["rps"]
    logged_in_peer = results[LOGGED_IN_PEER]["rps"]
    for name, row in results.items():
        row["floor_ratio"] = round(row["rps"] / floor, 3)
        row["peer_ratio"] = round(row["rps"] / peer, 3)
        row["logged_in_peer_ratio"] = round(row["rps"] / logged_in_peer, 3)
        row.update(measures[name])
    report = {
        "label": args.label,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "load_average": [start_load, os.getloadavg()]},
        "mode": "quick" if args.quick else "full",
        "scale": args.scale,
        "existing_db": BENCH_DB if args.existing_db else None,
        "server": f"gunicorn {server}",
        "load": {
            "tool": "wrk",
            "threads": args.threads,
            "connections": args.connections,
            "duration_s": args.duration,
        },
        "data": volume,
        "data_load_seconds": round(load_seconds, 1),
        "settings": checks,
        "static": static,
        "pages": results,
        "events_feed_reader": reader,
        "bulk_order_upsert": upsert,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print()
    print(table(results))
    print()
    print(cpu_table(results))
    print()
    if reader:
        print(api_bench.feed_table(reader))
        print()
    if upsert:
        print(api_bench.table(upsert))
    print(f"\nbench: results written to {args.output}")


if __name__ == "__main__":
    main()
