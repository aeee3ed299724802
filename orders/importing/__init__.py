"""Orders from the marketplace's order system (PRODUCT.md §8), in three steps: reading its
JSON (``reading``), validating every record (``validating``), writing them (``writing``).

All or nothing: every record is checked before anything is written, and each problem
names the record's index and field (``Problem``: the command prints them, the API returns
them as JSON).
"""

from typing import Any

from django.db import transaction

from .reading import UnreadableJSON, parse_json
from .validating import OrderImportError, OrderRecordSerializer, Problem, validate
from .writing import ImportReport, write

__all__ = [
    "EXAMPLE_ORDER",
    "ImportReport",
    "OrderImportError",
    "OrderRecordSerializer",
    "Problem",
    "UnreadableJSON",
    "import_orders",
    "parse_json",
]

# PRODUCT.md §8's example record: the API schema's example, the tests' and the benchmark's base.
EXAMPLE_ORDER = {
    "number": "8030112233445566",
    "buyer": {"username": "alice", "email": "alice@example.com"},
    "seller": {
        "name": "Shenzhen Gadget Store",
        "username": "szgadget",
        "email": "disputes@szgadget.example",
    },
    "item": "USB-C cable, 2 m, braided",
    "description": "Braided nylon, 100 W, 2 m",
    "price": "12.99",
    "currency": "EUR",
    "placed_at": "2026-10-01T09:30:00Z",
    "shipped_at": "2026-10-03T14:00:00Z",
    "delivery_by": "2026-12-02T23:59:59Z",
    "received_at": None,
}


@transaction.atomic
def import_orders(records: Any, *, dry_run: bool = False) -> ImportReport:
    """Upsert ``records`` (a JSON array) by number, or raise ``OrderImportError`` having
    written nothing; with ``dry_run`` nothing is kept."""
    report = write(validate(records))
    if dry_run:
        transaction.set_rollback(True)
    return report
