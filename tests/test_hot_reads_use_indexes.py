"""No hot read scans a whole table of orders, disputes or events, at a marketplace's volume.

The benchmark's data set (``bench/dataset.py``, the quick size) grown forty times by
``bench/scale.py`` (PostgreSQL writes the rows: 400,000 orders, 20,000 disputes, 80,000
events), committed and vacuumed as the benchmark's is, then every hot page is requested
through the test client and each of its statements on those tables is EXPLAINed. A
sequential scan of one of them fails the test with the page, the statement and its plan;
so does a feed that looks for its young events other than by the index on their time.
(That the seller's list reads its own indexes in its order is tested on its own:
``tests/disputes/test_seller_list_index.py``.)

PostgreSQL only: it is the production database, and its planner decides.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Max, Min
from django.test import Client
from django.test.utils import CaptureQueriesContext

from api.models import ApiClient
from bench import dataset, scale
from disputes.models import DisputeEvent

pytestmark = [
    # Committed, so that VACUUM can set the visibility map as autovacuum would have.
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL: its planner is tested"
    ),
]

FACTOR = 40
TABLES = ("orders_order", "disputes_dispute", "disputes_disputeevent")
WHOLE_TABLE_SCAN = re.compile(rf"Seq Scan on ({'|'.join(TABLES)})\b")
# A feed's horizon (``api.views.settled``): the first of the events younger than a few
# seconds, which only the index on their time finds without walking every event after the
# reader's cursor.
HORIZON = re.compile(r'^SELECT MIN\("disputes_disputeevent"\."id"\)')
YOUNG_EVENTS_INDEX = "dispute_event_created_idx"


def plan_of(sql):
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def whole_table_scans(client, path, headers):
    """(statement, plan) for each statement of ``path`` that reads a whole hot table."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, headers=headers)
    assert response.status_code == 200, path
    scans = []
    for query in queries.captured_queries:
        sql = query["sql"]
        if not sql.startswith("SELECT") or not any(f'"{table}"' in sql for table in TABLES):
            continue
        plan = plan_of(sql)
        walks_to_the_horizon = HORIZON.match(sql) and YOUNG_EVENTS_INDEX not in plan
        if WHOLE_TABLE_SCAN.search(plan) or walks_to_the_horizon:
            scans.append((sql, plan))
    return scans


def client_of(user_id):
    client = Client()
    client.force_login(get_user_model().objects.get(pk=user_id))
    return client


def test_no_hot_read_scans_a_whole_table_of_orders_disputes_or_events(settings):
    settings.API_FEED_SETTLE_SECONDS = 0
    targets = dataset.load(dataset.QUICK)
    scale.grow(
        dataset.QUICK,
        factor=FACTOR,
        mediator_id=targets.mediator_id,
        answering_seller_id=targets.seller_id,
        step=lambda message: None,
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    buyer, seller, mediator = (
        client_of(targets.buyer_id),
        client_of(targets.seller_user_id),
        client_of(targets.mediator_id),
    )
    api = {"Authorization": f"Bearer {ApiClient.create('explain')[1]}"}
    get_user_model().objects.filter(pk=targets.seller_user_id).update(marketplace_id="m-seller")
    events = DisputeEvent.objects.aggregate(first=Min("pk"), last=Max("pk"))
    middle = (events["first"] + events["last"]) // 2
    queue = "/admin/disputes/dispute/"
    reads = [
        ("the buyer's orders list", buyer, "/orders/", {}),
        ("its 50th page", buyer, "/orders/?page=50", {}),
        ("the seller's list", seller, "/seller/disputes/", {}),
        ("the events feed", Client(), "/api/v1/events/?limit=100", api),
        ("the events feed, its largest page", Client(), "/api/v1/events/?limit=500", api),
        ("the events feed from the middle", Client(), f"/api/v1/events/?after={middle}.0", api),
        ("the disputes feed", Client(), "/api/v1/disputes/?limit=500", api),
        ("the disputes feed from the middle", Client(), f"/api/v1/disputes/?after={middle}", api),
        ("the queue as it opens", mediator, queue, {}),
        ("the queue, all", mediator, f"{queue}?status=all", {}),
        ("the queue, open", mediator, f"{queue}?status=open", {}),
        ("the queue, decided", mediator, f"{queue}?status=decided&outcome=rejected", {}),
        ("the queue, unassigned", mediator, f"{queue}?assigned=nobody", {}),
        ("the queue, mine", mediator, f"{queue}?assigned=mine", {}),
        ("the queue, new information", mediator, f"{queue}?new_information=yes", {}),
        ("the queue, overdue", mediator, f"{queue}?overdue=yes", {}),
        ("the queue, by age", mediator, f"{queue}?age=gt7", {}),
        ("the queue, by stage", mediator, f"{queue}?stage=with_mediator", {}),
        ("the queue, by reason", mediator, f"{queue}?reason=defective", {}),
        ("the queue, an order number", mediator, f"{queue}?q={targets.order_number}", {}),
        ("the queue, a buyer", mediator, f"{queue}?q=buyer00007&status=all", {}),
        # By the dispute's own seller (Dispute.seller): a seller known by name, and one whose
        # account's username is also a buyer's (each half of the search by its own index).
        ("the queue, a seller", mediator, f"{queue}?q=Bench+Store+0042&status=all", {}),
        ("the queue, a seller's account", mediator, f"{queue}?q={dataset.SELLER}", {}),
        ("the disputes feed, a seller", Client(), "/api/v1/disputes/?seller=m-seller", api),
    ]

    found = {
        name: scans
        for name, client, path, headers in reads
        if (scans := whole_table_scans(client, path, headers))
    }

    assert not found, "\n\n".join(
        f"{name}:\n{sql}\n{plan}" for name, scans in found.items() for sql, plan in scans
    )
