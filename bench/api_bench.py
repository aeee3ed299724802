"""The marketplace API under the benchmark: the bulk order upsert, side by side with
``import_orders`` on the same records, and the events feed, read by one client.

Each batch is 1,000 new orders of 200 new buyers and existing sellers. The command's path
(``orders.importing.import_orders``, in this process) imports a batch, then the same batch
again (every order unchanged); the batch's orders and buyers are then deleted and the API
(``POST /api/v1/orders/`` over HTTP to gunicorn) does the same two calls on the same
records, from the same starting state. Orders per second is the median over the batches.

The events feed is a page of ``run.py`` (wrk, many clients, one page again and again);
``read_feed`` reads it as the marketplace does: one client, page after page from a cursor,
over one kept-alive connection, from the start and from the middle of the events.
"""

import http.client
import json
import statistics
import time

BATCH_SIZE = 1_000
BUYERS_PER_BATCH = 200
API_CLIENT = "bench-marketplace"
FEED_PAGE = 500  # the API's largest (api.views.MAX_PAGE)
FEED_EVENTS = 20_000  # read from each starting point


def make_client():
    """A client with a token for the API (the admin's way, without the admin)."""
    from api.models import ApiClient

    ApiClient.objects.filter(name=API_CLIENT).delete()
    return ApiClient.create(API_CLIENT)[1]


def _batch(index, sellers):
    from orders.importing import EXAMPLE_ORDER

    records = []
    for n in range(BATCH_SIZE):
        buyer = f"api-bench-{index:02d}-{n % BUYERS_PER_BATCH:03d}"
        records.append(
            EXAMPLE_ORDER
            | {
                "number": f"API-{index:02d}-{n:05d}",
                "buyer": {"username": buyer, "email": f"{buyer}@example.com"},
                "seller": sellers[n % len(sellers)],
            }
        )
    return records


def _forget(records):
    from django.contrib.auth import get_user_model

    from orders.models import Order

    Order.objects.filter(number__in=[r["number"] for r in records]).delete()
    usernames = {r["buyer"]["username"] for r in records}
    get_user_model().objects.filter(username__in=usernames).delete()


def _post(host, port, token, body):
    connection = http.client.HTTPConnection(host, port, timeout=120)
    try:
        connection.request(
            "POST",
            "/api/v1/orders/",
            body=body,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        response = connection.getresponse()
        answer = response.read()
        if response.status != 200:
            raise RuntimeError(f"the API answered {response.status}: {answer[:500]!r}")
        return json.loads(answer)
    finally:
        connection.close()


def _rate(seconds):
    return round(BATCH_SIZE / seconds, 1)


def bulk_upsert(host, port, token, batches):
    """Orders per second of both paths, new and unchanged, on the same batches."""
    from orders.importing import import_orders
    from orders.models import Seller

    sellers = list(Seller.objects.order_by("name").values_list("name", flat=True)[:50])
    rates = {path: {"new": [], "unchanged": []} for path in ("import_orders", "api")}
    for index in range(batches):
        records = _batch(index, sellers)
        for label in ("new", "unchanged"):
            started = time.perf_counter()
            report = import_orders(records)
            rates["import_orders"][label].append(_rate(time.perf_counter() - started))
            assert len(getattr(report, "created" if label == "new" else "unchanged")) == BATCH_SIZE
        _forget(records)
        body = json.dumps({"orders": records})
        for label in ("new", "unchanged"):
            started = time.perf_counter()
            report = _post(host, port, token, body)
            rates["api"][label].append(_rate(time.perf_counter() - started))
            assert len(report["created" if label == "new" else "unchanged"]) == BATCH_SIZE
        _forget(records)  # a database measured again (--existing-db) starts as it was
    return {
        "batch_size": BATCH_SIZE,
        "batches": batches,
        **{
            path: {
                f"{label}_orders_per_s": statistics.median(values)
                for label, values in by_label.items()
            }
            for path, by_label in rates.items()
        },
    }


def table(result):
    lines = [
        f"bulk order upsert, batches of {result['batch_size']:,} ({result['batches']} batches,"
        " median orders/s)",
        f"{'path':<28} {'new':>10} {'unchanged':>10}",
    ]
    for path, label in (
        ("import_orders", "import_orders (in process)"),
        ("api", "POST /api/v1/orders/"),
    ):
        row = result[path]
        lines.append(
            f"{label:<28} {row['new_orders_per_s']:>10.1f} {row['unchanged_orders_per_s']:>10.1f}"
        )
    return "\n".join(lines)


def feed_starts():
    """Where the one-client reader starts: the beginning of the events and their middle
    (a cursor in each table, as the feed gives them)."""
    from django.db.models import Max

    from disputes.models import DisputeEvent
    from orders.models import OrderEvent

    middle = [
        (model.objects.aggregate(last=Max("pk"))["last"] or 0) // 2
        for model in (DisputeEvent, OrderEvent)
    ]
    return {"start": "0", "middle": ".".join(map(str, middle))}


def read_feed(host, port, token, after, events=FEED_EVENTS):
    """Read the events feed from ``after`` as one client: pages of ``FEED_PAGE`` one after
    the other on one connection, each answer parsed, until ``events`` are read or the feed
    has no more. Events per second over the whole read."""
    connection = http.client.HTTPConnection(host, port, timeout=60)
    headers = {"Authorization": f"Bearer {token}"}
    read = pages = 0
    cursor = after
    started = time.perf_counter()
    try:
        while read < events:
            connection.request(
                "GET", f"/api/v1/events/?limit={FEED_PAGE}&after={cursor}", headers=headers
            )
            response = connection.getresponse()
            answer = response.read()
            if response.status != 200:
                raise RuntimeError(f"the feed answered {response.status}: {answer[:500]!r}")
            page = json.loads(answer)
            read += len(page["results"])
            pages += 1
            cursor = page["next_cursor"]
            if not page["has_more"]:
                break
    finally:
        connection.close()
    seconds = time.perf_counter() - started
    return {
        "after": after,
        "events": read,
        "pages": pages,
        "seconds": round(seconds, 2),
        "events_per_s": round(read / seconds),
    }


def feed_reader(host, port, token):
    """The one-client read from each of ``feed_starts``."""
    return {
        "page": FEED_PAGE,
        **{name: read_feed(host, port, token, after) for name, after in feed_starts().items()},
    }


def feed_table(result):
    lines = [
        f"events feed, one client, pages of {result['page']} on one connection",
        f"{'from':<10} {'cursor':>18} {'events':>8} {'pages':>6} {'seconds':>8} {'events/s':>9}",
    ]
    for name in ("start", "middle"):
        row = result[name]
        lines.append(
            f"{name:<10} {row['after']:>18} {row['events']:>8,} {row['pages']:>6} "
            f"{row['seconds']:>8.2f} {row['events_per_s']:>9,}"
        )
    return "\n".join(lines)
