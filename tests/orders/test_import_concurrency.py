"""An import and a dispute opening on one order at the same moment, on real connections:
whichever comes second sees what the first wrote, so a disputed order keeps its seller
(PRODUCT.md §8)."""

import threading
import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections, transaction
from django.utils import timezone

from disputes.models import Dispute
from orders.importing import EXAMPLE_ORDER, OrderImportError, import_orders
from orders.models import Order
from tests.concurrency import POSTGRES_ONLY
from tests.disputes.builders import open_dispute

pytestmark = POSTGRES_ONLY

NOW = timezone.now()
RECORD = EXAMPLE_ORDER | {
    "placed_at": (NOW - timedelta(days=20)).isoformat(),
    "shipped_at": (NOW - timedelta(days=12)).isoformat(),
    "received_at": (NOW - timedelta(days=3)).isoformat(),
    "delivery_by": (NOW + timedelta(days=10)).isoformat(),
}
ANOTHER_SELLER = RECORD | {"seller": "Another Store"}


def wait_for_a_lock_wait():
    """Until another connection of this database waits for a row lock (30 s at most)."""
    deadline = time.monotonic() + 30
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    pytest.fail("no connection ever waited for the lock")


def in_thread(action):
    """Start ``action`` on its own connection; the returned list gets what it returned or
    raised once the thread is joined."""
    outcome = []

    def run():
        try:
            outcome.append(action())
        except Exception as error:  # the test reads what the thread raised
            outcome.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def while_first_holds_its_locks(first, second):
    """Run ``first`` in a transaction on its own connection and keep it open; run
    ``second`` on another once it waits for a lock ``first`` holds, then let ``first``
    commit. What ``second`` returned or raised."""
    done, release = threading.Event(), threading.Event()

    def hold():
        with transaction.atomic():
            first()
            done.set()
            release.wait(timeout=60)

    holder, _ = in_thread(hold)
    done.wait(timeout=60)
    waiter, outcome = in_thread(second)
    wait_for_a_lock_wait()
    release.set()
    holder.join(timeout=60)
    waiter.join(timeout=60)
    [result] = outcome
    return result


@pytest.fixture
def imported():
    """The order, imported with its first seller, and its buyer."""
    import_orders([RECORD])
    return Order.objects.get(), get_user_model().objects.get(username="alice")


@pytest.mark.django_db(transaction=True)
def test_an_import_waits_for_a_dispute_being_opened_then_refuses_the_new_seller(imported):
    order, buyer = imported
    error = while_first_holds_its_locks(
        lambda: open_dispute(buyer, order), lambda: import_orders([ANOTHER_SELLER])
    )

    assert isinstance(error, OrderImportError)
    assert [(problem.field, problem.message) for problem in error.problems] == [
        ("seller", "must stay Shenzhen Gadget Store once the order has a dispute")
    ]
    order.refresh_from_db()
    assert order.seller.name == "Shenzhen Gadget Store"
    assert Dispute.objects.get().seller_id == order.seller_id


@pytest.mark.django_db(transaction=True)
def test_a_dispute_opened_during_an_import_waits_and_takes_the_new_seller(imported):
    order, buyer = imported
    dispute = while_first_holds_its_locks(
        lambda: import_orders([ANOTHER_SELLER]), lambda: open_dispute(buyer, order)
    )

    assert isinstance(dispute, Dispute)
    order.refresh_from_db()
    assert order.seller.name == "Another Store"
    assert dispute.seller_id == order.seller_id
