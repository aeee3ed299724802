"""Two submissions for one order at the same moment, on real concurrent connections."""

import pytest

from disputes import actions
from disputes.models import Dispute
from tests.concurrency import POSTGRES_ONLY, run_at_once
from tests.disputes.builders import disputable_order, open_dispute

pytestmark = POSTGRES_ONLY


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submissions_create_exactly_one_dispute(buyer):
    order = disputable_order(buyer)
    outcomes = run_at_once(lambda: open_dispute(buyer, order), expected=actions.DisputeActionError)

    assert Dispute.objects.filter(order=order).count() == 1
    errors = [outcome for outcome in outcomes if isinstance(outcome, actions.DisputeActionError)]
    assert len(errors) == 1
    assert [reason.code for reason in errors[0].eligibility.reasons] == ["dispute_open"]
