"""The per-user page fragments with many sessions: how often each is read from the cache,
and the CPU per request with the cache and without it.

wrk logs in one buyer, one seller and one mediator, so every fragment cached per reader
hits after the first request. Here many buyers each visit their pages as a person does
within a fragment's hour (``VISIT``), in an interleaved order, through Django's test
client on the benchmark's data set (SQLite in a temporary folder, so it runs anywhere).
Nothing changes between the views: the hit rates are the most a read-only visit gives.
Usage: ``.venv/bin/python bench/sessions.py [--buyers 300]`` (a few minutes).
"""

import argparse
import os
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# How often a buyer opens each page in one visit: the account page once, the orders list
# twice (back to it from an order), their dispute's page twice (back to see an answer).
VISIT = {"my account": 1, "orders list": 2, "dispute page": 2}
FRAGMENT_KEY = "template.cache."


def setup_django(folder):
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="false",
        DJANGO_ALLOWED_HOSTS="testserver",
        DATABASE_URL=f"sqlite:///{folder}/bench.sqlite3",
        EVIDENCE_ROOT=str(Path(folder) / "evidence"),
    )
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def counting_cache():
    """A local-memory cache, large enough to keep everything, that counts the fragments'
    hits and misses by fragment name."""
    from django.core.cache.backends.locmem import LocMemCache

    class CountingCache(LocMemCache):
        reads: Counter = Counter()

        def get(self, key, default=None, version=None):
            value = super().get(key, default, version)
            if key.startswith(FRAGMENT_KEY):
                name = key.removeprefix(FRAGMENT_KEY).split(".")[0]
                self.reads[name, value is not default] += 1
            return value

    return CountingCache


def requests(buyers, rng):
    """(page, path, user id) of every buyer's visit, the visits interleaved."""
    from disputes.models import Dispute

    disputes = dict(
        Dispute.objects.filter(order__buyer__in=buyers).values_list("order__buyer", "pk")
    )
    views = []
    for buyer in buyers:
        paths = {"my account": "/", "orders list": "/orders/"}
        if buyer in disputes:
            paths["dispute page"] = f"/disputes/{disputes[buyer]}/"
        for page, path in paths.items():
            views += [(page, path, buyer)] * VISIT[page]
    rng.shuffle(views)
    return views


def run(views, cache_backend):
    """CPU milliseconds per request of each page, with ``cache_backend`` as the cache."""
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.test import Client, override_settings

    users = get_user_model().objects.in_bulk({user for _, _, user in views})
    clients = {}
    cpu = defaultdict(list)
    with override_settings(
        CACHES={"default": {"BACKEND": cache_backend, "OPTIONS": {"MAX_ENTRIES": 10**7}}}
    ):
        cache.clear()
        for page, path, user in views:
            if user not in clients:
                clients[user] = Client()
                clients[user].force_login(users[user])
            started = time.process_time()
            response = clients[user].get(path)
            cpu[page].append(time.process_time() - started)
            assert response.status_code == 200, (path, response.status_code)
    return {page: 1000 * sum(times) / len(times) for page, times in cpu.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3, help="each mode, alternately")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        setup_django(folder)
        import dataset
        from django.core.management import call_command

        from disputes.models import Dispute

        call_command("migrate", verbosity=0, interactive=False)
        dataset.load(dataset.QUICK)
        rng = random.Random(2026)
        # Half of the buyers with a dispute, half without, none of them the heavy buyer.
        with_dispute = list(
            Dispute.objects.exclude(order__buyer__username=dataset.HEAVY_BUYER)
            .values_list("order__buyer", flat=True)
            .distinct()
        )
        others = list(get_buyers_without(with_dispute))
        buyers = rng.sample(with_dispute, args.buyers // 2) + rng.sample(others, args.buyers // 2)
        views = requests(buyers, rng)
        counting = counting_cache()
        sys.modules[__name__].CountingCache = counting
        run(views[:50], "django.core.cache.backends.locmem.LocMemCache")  # warm up
        figures = defaultdict(list)
        for _ in range(args.rounds):
            counting.reads.clear()
            figures["cache"].append(run(views, f"{__name__}.CountingCache"))
            figures["none"].append(run(views, "django.core.cache.backends.dummy.DummyCache"))
        report(len(buyers), len(views), counting.reads, figures)


def get_buyers_without(with_dispute):
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(orders__isnull=False)
        .exclude(pk__in=with_dispute)
        .values_list("pk", flat=True)
        .distinct()
    )


def report(buyers, views, reads, figures):
    print(f"{buyers} buyers, {views} requests; visit: {VISIT}")
    print(f"{'fragment':<18} {'hits':>6} {'misses':>7} {'hit rate':>9}")
    for name in sorted({name for name, _ in reads}):
        hits, misses = reads[name, True], reads[name, False]
        print(f"{name:<18} {hits:>6} {misses:>7} {hits / (hits + misses):>9.0%}")
    print(f"{'page':<14} {'CPU ms, cache':>14} {'CPU ms, none':>13}  (best of the rounds)")
    for page in VISIT:
        cached = min(rounds[page] for rounds in figures["cache"])
        bare = min(rounds[page] for rounds in figures["none"])
        print(f"{page:<14} {cached:>14.2f} {bare:>13.2f}")


if __name__ == "__main__":
    main()
