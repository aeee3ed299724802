"""Every read of an import finds its rows by an index: orders by number, accounts by
username and by the marketplace's id, sellers by name and by account. At a marketplace's
volume (10 million orders, a million accounts) a scan of one of those tables costs a
batch seconds (docs/benchmark.md, the bulk upsert).

PostgreSQL only: it is the production database, and its planner decides. With sequential
scans priced out, a plan that still scans a table has no index it can use.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.importing import EXAMPLE_ORDER, import_orders

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL: its planner is tested"
    ),
]

TABLE_SCAN = re.compile(r"Seq Scan on (accounts_user|orders_order|orders_seller)\b")
# More than a hundred: PostgreSQL proves a partial index's condition from an IN list only
# up to a hundred values.
BUYERS = 150


def records():
    return [
        EXAMPLE_ORDER
        | {
            "number": f"8030{n:012d}",
            "buyer": {"id": f"mp-{n}", "username": f"buyer{n}", "email": f"b{n}@example.com"},
            "seller": {
                "name": f"Seller {n % 3}",
                "username": f"seller{n % 3}",
                "email": f"s{n % 3}@example.com",
            },
        }
        for n in range(BUYERS)
    ]


def table_scans(queries):
    """(statement, plan) for each read that scans a whole table of orders, accounts or
    sellers even with scans priced out."""
    scans = []
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            for query in queries.captured_queries:
                if not query["sql"].startswith("SELECT"):
                    continue
                cursor.execute(f"EXPLAIN {query['sql']}")
                plan = "\n".join(row[0] for row in cursor.fetchall())
                if TABLE_SCAN.search(plan):
                    scans.append((query["sql"], plan))
        finally:
            cursor.execute("RESET enable_seqscan")
    return scans


@pytest.mark.parametrize("again", [False, True], ids=["new orders", "unchanged orders"])
def test_every_read_of_an_import_uses_an_index(again):
    if again:
        import_orders(records())
    with CaptureQueriesContext(connection) as queries:
        import_orders(records())

    scans = table_scans(queries)

    assert not scans, "\n\n".join(f"{sql}\n{plan}" for sql, plan in scans)
