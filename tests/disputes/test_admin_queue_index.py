"""The mediators' queue, as it opens, is read from its own partial index
(``dispute_mediators_queue_idx``): its page is the index's first 25 entries and its count
the index alone, however many disputes wait. If the queue's filter or order changed, the
index would no longer serve it, and this test says so.

PostgreSQL only: it is the production database, and its planner decides. Sequential scans
are turned off for the test's own transaction, so that a handful of rows still show
whether the index *can* serve the query (with thousands it is the cheaper plan:
docs/benchmark.md).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.disputes.builders import information_requested_dispute, make_mediator, refused_dispute
from tests.factories import make_user

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL: its planner is tested"
    ),
]

INDEX = "dispute_mediators_queue_idx"


def plan_of(sql):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_queue_as_it_opens_reads_its_page_and_count_from_its_index(log_in, buyer):
    refused_dispute(buyer)
    information_requested_dispute(make_user("bob"))
    client = log_in(make_mediator())

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:disputes_dispute_changelist"))
    assert response.status_code == 200

    disputes = [q["sql"] for q in queries if 'FROM "disputes_dispute"' in q["sql"]]
    [count] = [sql for sql in disputes if sql.startswith("SELECT COUNT(*)")]
    [page] = [sql for sql in disputes if "ORDER BY" in sql and sql != count]
    page_plan, count_plan = plan_of(page), plan_of(count)
    assert INDEX in page_plan
    assert "Sort" not in page_plan  # read in the queue's order, not sorted
    assert INDEX in count_plan
