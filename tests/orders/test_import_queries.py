"""An import's queries do not grow with its records (docs/benchmark.md, the bulk upsert):
new, unchanged and changed orders, new and updated buyers, sellers created, linked to
their accounts and given a return address, each in a few statements per batch.

Not counted here: an order with a dispute whose record reports a receipt time, which
writes its event through ``orders.events`` (one insert each, for its listeners)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.importing import EXAMPLE_ORDER, import_orders

pytestmark = pytest.mark.django_db


def batch(size, *, changed=False):
    """``size`` orders of ``size // 2`` buyers and three sellers with an account, three
    without; ``changed``: every order, buyer and seller with something new."""
    records = []
    for n in range(size):
        buyer = f"buyer-{size}-{n % (size // 2)}"
        seller = f"seller-{size}-{n % 3}"
        records.append(
            EXAMPLE_ORDER
            | {
                "number": f"{size}-{n}",
                "buyer": {
                    "username": buyer,
                    "email": f"{buyer}@{'new.' if changed else ''}example.com",
                },
                "seller": (
                    {
                        "name": seller,
                        "username": seller,
                        "email": f"{seller}@example.com",
                        "return_address": f"{seller}\n1 Parcel Street" if changed else "",
                    }
                    if n % 2
                    else f"Plain {seller}"
                ),
                "item": "USB-C cable, 3 m" if changed else EXAMPLE_ORDER["item"],
            }
        )
    return records


def queries_to_import(records):
    with CaptureQueriesContext(connection) as queries:
        import_orders(records)
    return len(queries)


def queries_per_step(size):
    """The queries of a batch of ``size`` new orders, then the same again, then changed."""
    return [
        queries_to_import(batch(size)),
        queries_to_import(batch(size)),
        queries_to_import(batch(size, changed=True)),
    ]


def test_an_imports_queries_do_not_grow_with_its_records():
    assert queries_per_step(10) == queries_per_step(200)


def test_an_import_takes_a_few_queries():
    new, unchanged, changed = queries_per_step(10)
    # Read: buyers, orders, linked sellers; write: accounts (and read their ids back),
    # sellers (created, linked), orders, in a savepoint.
    assert new <= 12
    # Unchanged: the reads, and the sellers by name for their ids.
    assert unchanged <= 7
    # Changed: the reads, new emails, return addresses and the orders.
    assert changed <= 9
