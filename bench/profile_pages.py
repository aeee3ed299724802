"""Where one request's time goes, page by page: a profile through Django's test client.

Runs against a database the benchmark kept (``bench/run.py --keep-db``, same ``BENCH_DB``)
with the benchmark's settings, and prints for each page the median CPU time of a request
(measured without the profiler), the mean CPU time PostgreSQL spent on it (the server
process of this connection, from Linux's scheduler statistics; blank elsewhere) and the
share of the profiled time spent in the session, the user, SQL (the driver's round trips
and building model instances), templates and formatting (Babel, dates, time zones,
translations). The shares overlap (a template that formats a date counts in both), so
they do not add up.
Usage: ``BENCH_DB=disputes_bench_mine .venv/bin/python bench/profile_pages.py [--only WORDS]
[--dump DIR]`` (``--dump`` writes one .prof file per page, for snakeviz or pstats).
"""

import argparse
import cProfile
import pstats
import re
import statistics
import time
from pathlib import Path

import cpu_split
import run

# (label, pattern on "file:function") of what is measured; cumulative time of the first
# matching frame on the stack, so recursion or nesting is not counted twice.
PARTS = [
    ("session", r"contrib/sessions/backends/\w+\.py:(load|_get_session)$"),
    ("user", r"contrib/auth/__init__\.py:get_user$"),
    ("sql", r"db/backends/utils\.py:_execute$"),
    ("rows", r"db/models/query\.py:__iter__$"),
    ("template", r"template/backends/django\.py:render$"),
    ("babel", r"babel/.*"),
    ("dates", r"utils/(dateformat|formats)\.py:.*|zoneinfo.*"),
    ("translation", r"utils/translation/trans_real\.py:(gettext|pgettext|ngettext)$"),
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[], metavar="WORDS")
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--dump", type=Path, help="write a .prof file per page here")
    return parser.parse_args()


def targets():
    import dataset
    from django.contrib.auth import get_user_model

    from disputes.models import Dispute, DisputeMessage

    users = get_user_model().objects
    dispute = Dispute.objects.get(pk=DisputeMessage.objects.values("dispute")[:1])
    return dataset.Targets(
        buyer_id=users.get(username=dataset.HEAVY_BUYER).pk,
        mediator_id=users.get(username=dataset.MEDIATOR).pk,
        seller_user_id=users.get(username=dataset.SELLER).pk,
        order_number=dispute.order.number,
        dispute_id=dispute.pk,
    )


def shares(profile):
    """Cumulative seconds of each part, from the outermost matching frame."""
    stats = pstats.Stats(profile).stats
    totals = {}
    for label, pattern in PARTS:
        matcher = re.compile(pattern)
        matching = {
            func for func in stats if matcher.search(f"{func[0]}:{func[2]}".replace("\\", "/"))
        }
        # A frame called from another matching frame is already inside its time.
        totals[label] = sum(
            stats[func][3]
            for func in matching
            if not any(caller in matching for caller in stats[func][4])
        )
    return totals


def main():
    args = parse_args()
    run.setup_django()
    from django.db import connection
    from django.test import Client

    credentials = {
        "buyer": {"Cookie": run.browser_cookies(targets().buyer_id)},
        "seller": {"Cookie": run.browser_cookies(targets().seller_user_id)},
        "mediator": {"Cookie": run.browser_cookies(targets().mediator_id)},
    }
    labels = " ".join(f"{label:>11}" for label, _ in PARTS)
    print(f"{'page':<24} {'cpu ms':>7} {'pg ms':>6} {labels}")
    for name, path, who in run.pages(targets()):
        if who == "api" or (args.only and not any(word in name for word in args.only)):
            continue
        client = Client(HTTP_HOST=run.HOST, headers=credentials.get(who, {}))
        client.get(path)
        cpu = []
        postgres_before = cpu_split.server_cpu(connection)
        for _ in range(args.repeats):
            started = time.process_time()
            client.get(path)
            cpu.append(time.process_time() - started)
        postgres_after = cpu_split.server_cpu(connection)
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.repeats):
            client.get(path)
        profile.disable()
        cpu_ms = statistics.median(cpu) * 1000
        postgres_ms = cpu_split.server_ms_per_request(postgres_before, postgres_after, args.repeats)
        if args.dump:
            args.dump.mkdir(parents=True, exist_ok=True)
            profile.dump_stats(args.dump / (re.sub(r"\W+", "_", name) + ".prof"))
        parts = shares(profile)
        total = sum(pstats.Stats(profile).stats[f][2] for f in pstats.Stats(profile).stats)
        cells = " ".join(f"{parts[label] / total:>10.0%} " for label, _ in PARTS)
        postgres = " " * 6 if postgres_ms is None else f"{postgres_ms:>6.2f}"
        print(f"{name[:24]:<24} {cpu_ms:>7.2f} {postgres} {cells}")


if __name__ == "__main__":
    main()
