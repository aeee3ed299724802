"""Two submissions for one order at the same moment, on real concurrent connections."""

import threading

import pytest
from django.db import connection, connections

from disputes import actions
from disputes.models import Dispute
from tests.disputes.builders import disputable_order, open_dispute

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises every writer, so there is no race to test",
    ),
]


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submissions_create_exactly_one_dispute(buyer):
    order = disputable_order(buyer)
    start = threading.Barrier(2)
    outcomes = []

    def submit():
        try:
            start.wait()
            outcomes.append(open_dispute(buyer, order))
        except actions.DisputeActionError as error:
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert Dispute.objects.filter(order=order).count() == 1
    errors = [outcome for outcome in outcomes if isinstance(outcome, actions.DisputeActionError)]
    assert len(errors) == 1
    assert [reason.code for reason in errors[0].eligibility.reasons] == ["dispute_open"]
