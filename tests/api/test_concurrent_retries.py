"""A retry that arrives while the first call still runs, on real concurrent connections:
both succeed and nothing is written twice."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from orders.models import Order
from tests.api.conftest import Api
from tests.api.test_orders import record

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises every writer, so there is no race to test",
    ),
]


def at_once(call, times=2):
    start = threading.Barrier(times)
    answers = []

    def run():
        try:
            start.wait()
            answers.append(call())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return answers


@pytest.mark.django_db(transaction=True)
def test_the_same_new_orders_sent_twice_at_once_are_created_once(marketplace):
    body = {"orders": [record(str(8030112233440000 + n)) for n in range(200)]}
    answers = at_once(lambda: Api(Client(), marketplace.token).post("/orders/", body))
    assert [answer.status_code for answer in answers] == [200, 200]
    assert Order.objects.count() == 200


@pytest.mark.django_db(transaction=True)
def test_a_retry_with_the_same_key_at_once_replays_the_first_answer(marketplace):
    body = {"orders": [record(str(8030112233440000 + n)) for n in range(200)]}
    answers = at_once(
        lambda: Api(Client(), marketplace.token).post(
            "/orders/", body, headers={"Idempotency-Key": "retry-1"}
        )
    )
    assert [answer.status_code for answer in answers] == [200, 200]
    assert answers[0].json() == answers[1].json()
    assert answers[0].json()["created"] != []
    assert [answer.headers.get("Idempotent-Replayed") for answer in answers].count("true") == 1
