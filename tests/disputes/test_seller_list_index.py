"""The seller's list is read from the seller's own indexes on the dispute row
(``Dispute.seller``): what waits for the seller from ``dispute_seller_waiting_idx``, soonest
deadline first, and a page of the others from ``dispute_seller_newest_idx``, newest first,
each in the index's order with nothing to sort. Without them PostgreSQL walked every
seller's disputes, newest first, until a page of them were this seller's
(docs/benchmark.md).

PostgreSQL only: its planner decides. Sequential scans are turned off for the test's own
transaction, so that a handful of rows still show whether the indexes *can* serve the
list (with thousands they are the cheaper plan: tests/test_hot_reads_use_indexes.py).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from disputes import actions
from tests.disputes.builders import answerable_dispute, make_seller_account

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL: its planner is tested"
    ),
]


def plan_of(sql):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_sellers_list_reads_both_parts_from_its_indexes_in_their_order(log_in, buyer):
    seller = make_seller_account()
    for _ in range(3):
        answerable_dispute(buyer, seller)
        actions.cancel_dispute(dispute=answerable_dispute(buyer, seller), buyer=buyer)
    client = log_in(seller.user)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("disputes:seller_list"))
    assert response.status_code == 200

    lists = [q["sql"] for q in queries if 'FROM "disputes_dispute"' in q["sql"]]
    [waiting] = [sql for sql in lists if 'ORDER BY "disputes_dispute"."stage_deadline"' in sql]
    [others] = [sql for sql in lists if 'ORDER BY "disputes_dispute"."opened_at" DESC' in sql]
    waiting_plan, others_plan = plan_of(waiting), plan_of(others)
    assert "dispute_seller_waiting_idx" in waiting_plan
    assert "dispute_seller_newest_idx" in others_plan
    assert "Sort" not in waiting_plan + others_plan  # read in the list's order


def test_the_waiting_disputes_past_the_list_are_counted_from_their_index(
    log_in, buyer, monkeypatch
):
    monkeypatch.setattr("disputes.seller_views.WAITING_SHOWN", 1)
    seller = make_seller_account()
    for _ in range(3):
        answerable_dispute(buyer, seller)
    client = log_in(seller.user)

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("disputes:seller_list")).context["more_waiting"] == 2

    counts = [q["sql"] for q in queries if q["sql"].startswith("SELECT COUNT(*)")]
    # The others' paginator counts them too: theirs is the waiting condition negated.
    [count] = [sql for sql in counts if "NOT (" not in sql]
    assert "dispute_seller_waiting_idx" in plan_of(count)
