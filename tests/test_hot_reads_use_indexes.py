"""No hot read scans a whole table of orders, disputes or events, at a marketplace's volume;
the mediators' queue and statistics count from their indexes alone.

The benchmark's data set (``bench/dataset.py``, the quick size) grown forty times by
``bench/scale.py`` (PostgreSQL writes the rows: 400,000 orders, 20,000 disputes, 80,000
events), committed and vacuumed as the benchmark's is, then every hot page is requested
through the test client and each of its statements on those tables is EXPLAINed. A
sequential scan of one of them fails the test with the page, the statement and its plan;
so does a feed that looks for its young events other than by the index on their time.
(That the seller's list reads its own indexes in its order is tested on its own:
``tests/disputes/test_seller_list_index.py``.)

The queue and the statistics count thousands of disputes on every view, so more is asked
of them: each of their counts reads an index alone, never a dispute's row (an index-only
scan), and each page of the queue that many disputes fill is the first entries of an index
in the queue's order, never a sort (docs/benchmark.md, "Today's figures").

PostgreSQL only: it is the production database, and its planner decides.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.models import Max, Min
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.models import ApiClient
from bench import dataset, scale
from disputes import statistics
from disputes.models import WAITING_ON_MEDIATORS, Dispute, DisputeEvent

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL: its planner is tested"
    ),
]

FACTOR = 40
TABLES = ("orders_order", "disputes_dispute", "disputes_disputeevent")
WHOLE_TABLE_SCAN = re.compile(rf"Seq Scan on ({'|'.join(TABLES)})\b")
# Any read of a dispute's row: what an index-only scan never does.
DISPUTE_ROWS_READ = re.compile(
    r"(Seq Scan|Bitmap Heap Scan|Index Scan using \w+) on disputes_dispute\b"
)
SORT = re.compile(r"\bSort\b")
# A feed's horizon (``api.views.settled``): the first of the events younger than a few
# seconds, which only the index on their time finds without walking every event after the
# reader's cursor.
HORIZON = re.compile(r'^SELECT MIN\("disputes_disputeevent"\."id"\)')
YOUNG_EVENTS_INDEX = "dispute_event_created_idx"
QUEUE = "/admin/disputes/dispute/"


@pytest.fixture(scope="module")
def marketplace(django_db_setup, django_db_blocker):
    """The data set at 40 times its quick size, committed, so that VACUUM sets the
    visibility map as autovacuum would have; a tenth of the disputes waiting on the
    mediators assigned to the benchmark's mediator and a twentieth with new information
    (the benchmark's data has none). Emptied after the module's tests."""
    with django_db_blocker.unblock():
        targets = dataset.load(dataset.QUICK)
        scale.grow(
            dataset.QUICK,
            factor=FACTOR,
            mediator_id=targets.mediator_id,
            answering_seller_id=targets.seller_id,
            step=lambda message: None,
        )
        waiting = Dispute.objects.filter(WAITING_ON_MEDIATORS)
        pks = list(waiting.order_by("pk").values_list("pk", flat=True))
        waiting.filter(pk__in=pks[::10]).update(assigned_to=targets.mediator_id)
        waiting.filter(pk__in=pks[::20]).update(
            new_information_since=timezone.now() - timedelta(hours=1)
        )
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        yield targets
        call_command("flush", interactive=False, verbosity=0)


def plan_of(sql):
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def statements_of(client, path, headers=None):
    """The SELECTs of ``path`` on the hot tables."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, headers=headers or {})
    assert response.status_code == 200, path
    return [
        sql
        for query in queries.captured_queries
        if (sql := query["sql"]).startswith("SELECT") and any(f'"{t}"' in sql for t in TABLES)
    ]


def client_of(user_id):
    client = Client()
    client.force_login(get_user_model().objects.get(pk=user_id))
    return client


def failures(found):
    return "\n\n".join(f"{name}:\n{sql}\n{plan}" for name, sql, plan in found)


# The queue as it opens (what waits on the mediators), on each status, and each filter's
# choice from where it is offered (the queue as it opens, or every status for a decision).
QUEUE_READS = [
    ("the queue as it opens", ""),
    ("the queue, all", "status=all"),
    ("the queue, open", "status=open"),
    ("the queue, cancelled", "status=cancelled"),
    ("the queue, decided", "status=decided"),
    ("the queue, rejected", "outcome=rejected&status=all"),
    ("the queue, decided and rejected", "status=decided&outcome=rejected"),
    ("the queue, mine", "assigned=me"),
    ("the queue, unassigned", "assigned=nobody"),
    ("the queue, new information", "new_information=yes"),
    ("the queue, nothing new", "new_information=no"),
    ("the queue, overdue", "overdue=yes"),
    ("the queue, by age", "age=gt7"),
    ("the queue, by stage", "stage=with_mediator"),
    ("the queue, by reason", "reason=defective"),
]
# Filters that keep a few hundred disputes (a mediator's own, those with new information):
# the planner reads them through the filter's own index and sorts them.
FEW = {"the queue, mine", "the queue, new information"}
# Every dispute: in the order of the escalations' index, each escalation's disputes sorted
# by their second column (the first page sorts a few rows).
SORTED_BY_ESCALATION = {"the queue, all"}


def test_no_hot_read_scans_a_whole_table_of_orders_disputes_or_events(marketplace, settings):
    settings.API_FEED_SETTLE_SECONDS = 0
    buyer, seller, mediator = (
        client_of(marketplace.buyer_id),
        client_of(marketplace.seller_user_id),
        client_of(marketplace.mediator_id),
    )
    api = {"Authorization": f"Bearer {ApiClient.create('explain')[1]}"}
    get_user_model().objects.filter(pk=marketplace.seller_user_id).update(marketplace_id="m-seller")
    events = DisputeEvent.objects.aggregate(first=Min("pk"), last=Max("pk"))
    middle = (events["first"] + events["last"]) // 2
    reads = [
        ("the buyer's orders list", buyer, "/orders/", {}),
        ("its 50th page", buyer, "/orders/?page=50", {}),
        ("the seller's list", seller, "/seller/disputes/", {}),
        ("the events feed", Client(), "/api/v1/events/?limit=100", api),
        ("the events feed, its largest page", Client(), "/api/v1/events/?limit=500", api),
        ("the events feed from the middle", Client(), f"/api/v1/events/?after={middle}.0", api),
        ("the disputes feed", Client(), "/api/v1/disputes/?limit=500", api),
        ("the disputes feed from the middle", Client(), f"/api/v1/disputes/?after={middle}", api),
        *[(name, mediator, f"{QUEUE}?{query}", {}) for name, query in QUEUE_READS],
        ("the queue, a refund late", mediator, f"{QUEUE}?refund=late&status=all", {}),
        ("the queue, a refund failed", mediator, f"{QUEUE}?refund=failed&status=all", {}),
        ("the queue, a refund to settle", mediator, f"{QUEUE}?refund=to_settle&status=all", {}),
        ("the queue, an order number", mediator, f"{QUEUE}?q={marketplace.order_number}", {}),
        ("the queue, a buyer", mediator, f"{QUEUE}?q=buyer00007&status=all", {}),
        # By the dispute's own seller (Dispute.seller): a seller known by name, and one whose
        # account's username is also a buyer's (each half of the search by its own index).
        ("the queue, a seller", mediator, f"{QUEUE}?q=Bench+Store+0042&status=all", {}),
        ("the queue, a seller's account", mediator, f"{QUEUE}?q={dataset.SELLER}", {}),
        ("the disputes feed, a seller", Client(), "/api/v1/disputes/?seller=m-seller", api),
        ("the statistics", mediator, f"{QUEUE}statistics/", {}),
    ]

    found = [
        (name, sql, plan)
        for name, client, path, headers in reads
        for sql in statements_of(client, path, headers)
        if WHOLE_TABLE_SCAN.search(plan := plan_of(sql))
        or (HORIZON.match(sql) and YOUNG_EVENTS_INDEX not in plan)
    ]

    assert not found, failures(found)


def test_the_queue_counts_from_its_indexes_and_pages_in_their_order(marketplace):
    mediator = client_of(marketplace.mediator_id)
    found = []
    for name, query in QUEUE_READS:
        disputes = [
            sql
            for sql in statements_of(mediator, f"{QUEUE}?{query}")
            if re.search(r'FROM "disputes_dispute"', sql)
        ]
        [count] = [sql for sql in disputes if sql.startswith("SELECT COUNT(*)")]
        [page] = [sql for sql in disputes if "ORDER BY" in sql and sql != count]
        if name in FEW:
            continue
        if DISPUTE_ROWS_READ.search(plan := plan_of(count)):
            found.append((f"{name}, its count", count, plan))
        if name not in SORTED_BY_ESCALATION and SORT.search(plan := plan_of(page)):
            found.append((f"{name}, its page", page, plan))

    assert not found, failures(found)


def test_the_statistics_count_from_indexes(marketplace):
    now = timezone.now()
    since = statistics.first_week(now)
    with CaptureQueriesContext(connection) as queries:
        statistics.weekly_counts(now=now)
        statistics.time_to_decision(since=since)
        statistics.overdue_count(now=now)
        statistics.decision_reason_counts(since=since)

    found = [
        ("the statistics", query["sql"], plan)
        for query in queries.captured_queries
        if DISPUTE_ROWS_READ.search(plan := plan_of(query["sql"]))
    ]

    assert not found, failures(found)
